import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { KeepAliveAgents, ServiceUnreachableError } from "../src";

/** A server that answers "ok", or hangs up without answering the n-th request on a connection when `hangUpOn` says so. */
async function serve(options: { keepAliveTimeout?: number; hangUpOn?: (nthOnSocket: number) => boolean } = {}) {
  const perSocket = new Map<Socket, number>();
  const seen: { method: string; socket: Socket }[] = [];
  const server = http.createServer((req, res) => {
    const n = (perSocket.get(req.socket) ?? 0) + 1;
    perSocket.set(req.socket, n);
    seen.push({ method: req.method ?? "", socket: req.socket });
    req.resume();
    req.on("end", () => {
      if (options.hangUpOn?.(n)) req.socket.destroy();
      else res.end("ok");
    });
  });
  if (options.keepAliveTimeout !== undefined) server.keepAliveTimeout = options.keepAliveTimeout;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/internal/x`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

type Served = Awaited<ReturnType<typeof serve>>;

/** Runs `body` against a fresh `serve(options)` with fresh agents, then closes the server. */
async function withServer(options: Parameters<typeof serve>[0], body: (server: Served, agents: KeepAliveAgents) => Promise<void>): Promise<void> {
  const server = await serve(options);
  try {
    await body(server, new KeepAliveAgents());
  } finally {
    await server.close();
  }
}

describe("KeepAliveAgents", () => {
  it("reuses a connection, and drops an idle one before the server's announced keep-alive timeout", async () => {
    await withServer({ keepAliveTimeout: 2_000 }, async (server, agents) => {
      for (let i = 0; i < 3; i += 1) expect((await agents.call(server.url, { method: "GET" })).body.toString()).toBe("ok");
      expect(new Set(server.seen.map((s) => s.socket)).size).toBe(1);
      // The server announces timeout=2: the agent drops the socket after 1 s idle, before the server does.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect((await agents.call(server.url, { method: "GET" })).status).toBe(200);
      expect(new Set(server.seen.map((s) => s.socket)).size).toBe(2);
    });
  });

  it("sends a GET that met a closed kept-alive socket once more, on a fresh one", async () => {
    // The second request on any connection finds it closed, as when the server just timed it out.
    await withServer({ hangUpOn: (n) => n === 2 }, async (server, agents) => {
      await agents.call(server.url, { method: "GET" });
      const answer = await agents.call(server.url, { method: "GET" });
      expect(answer.body.toString()).toBe("ok");
      expect(server.seen.map((s) => s.method)).toEqual(["GET", "GET", "GET"]);
    });
  });

  it("never sends a POST twice: the failure is the caller's, as UNAVAILABLE", async () => {
    await withServer({ hangUpOn: (n) => n === 2 }, async (server, agents) => {
      await agents.call(server.url, { method: "POST", body: "{}" });
      const failure = await agents.call(server.url, { method: "POST", body: "{}" }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(ServiceUnreachableError);
      expect((failure as ServiceUnreachableError).onReusedSocket).toBe(true);
      expect(server.seen.map((s) => s.method)).toEqual(["POST", "POST"]);
    });
  });

  it("bounds a call by its timeout", async () => {
    const server = http.createServer(() => {});
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slow`;
      const failure = await new KeepAliveAgents().call(url, { method: "GET", timeoutMs: 200 }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(ServiceUnreachableError);
      expect((failure as ServiceUnreachableError).code).toBe("ETIMEDOUT");
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
