import http from "node:http";
import type { AddressInfo } from "node:net";
import { GraphQLError } from "graphql";
import { createErrorFormatter, createLogger, ServiceUnreachableError } from "@dgg/common";
import { keepAliveFetcher } from "../../gateway/src/subgraph-fetcher";

/** A local HTTP server answering with `handler`; returns its URL and a closer. */
async function serve(handler: http.RequestListener): Promise<{ url: string; server: http.Server; close(): Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  return {
    url,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const silent = createLogger("gateway-test", { LOG_LEVEL: "silent" });

describe("the gateway's subgraph fetcher", () => {
  it("sends method, headers and body, and hands back status, headers and body once", async () => {
    const seen: { method?: string; token?: string; body?: string }[] = [];
    const subgraph = await serve((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
      req.on("end", () => {
        seen.push({ method: req.method, token: req.headers["x-dgg-internal-token"] as string, body });
        res.writeHead(207, "Multi", { "content-type": "application/json", "set-cookie": ["a=1", "b=2"] });
        res.end(JSON.stringify({ data: { ok: "é" } }));
      });
    });
    try {
      const fetcher = keepAliveFetcher();
      const response = await fetcher(subgraph.url, { method: "POST", headers: { "x-dgg-internal-token": "t", "content-type": "application/json" }, body: '{"query":"{ ok }"}' });
      expect(seen).toEqual([{ method: "POST", token: "t", body: '{"query":"{ ok }"}' }]);
      expect([response.status, response.statusText, response.ok, response.url]).toEqual([207, "Multi", true, subgraph.url]);
      expect(response.headers.get("content-type")).toBe("application/json");
      expect(response.headers.get("set-cookie")).toBe("a=1, b=2");
      const copy = response.clone();
      expect(await response.json()).toEqual({ data: { ok: "é" } });
      expect(response.bodyUsed).toBe(true);
      await expect(response.text()).rejects.toThrow(TypeError);
      expect(await copy.text()).toBe('{"data":{"ok":"é"}}');
    } finally {
      await subgraph.close();
    }
  });

  it("keeps the connection alive between calls", async () => {
    const sockets = new Set<unknown>();
    const subgraph = await serve((req, res) => {
      sockets.add(req.socket);
      res.end("{}");
    });
    try {
      const fetcher = keepAliveFetcher();
      for (let i = 0; i < 5; i += 1) await (await fetcher(subgraph.url, { method: "POST", body: "{}" })).text();
      expect(sockets.size).toBe(1);
    } finally {
      await subgraph.close();
    }
  });

  it("reports a subgraph that is down, or that hangs up mid-answer, as UNAVAILABLE", async () => {
    const fetcher = keepAliveFetcher();
    const down = await serve(() => {});
    await down.close();
    const refused = await fetcher(down.url, { method: "POST", body: "{}" }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ServiceUnreachableError);
    expect((refused as ServiceUnreachableError).code).toBe("ECONNREFUSED");

    const hangsUp = await serve((req) => req.socket.destroy());
    try {
      const reset = await fetcher(hangsUp.url, { method: "POST", body: "{}" }).catch((error: unknown) => error);
      expect(reset).toBeInstanceOf(ServiceUnreachableError);
      const format = createErrorFormatter(silent);
      for (const error of [refused, reset]) {
        // As a resolver's error reaches the formatter: wrapped, with the path of the field.
        const wrapped = new GraphQLError("fetch failed", { originalError: error as Error, path: ["personalData"] });
        expect(format({ message: wrapped.message }, wrapped).extensions).toMatchObject({ code: "UNAVAILABLE" });
      }
    } finally {
      await hangsUp.close();
    }
  });
});
