// Scenario: one webhook POST against a loopback server: it connects to the address the URL
// policy checked, never to a fresh DNS answer (so a name re-pointed after the check cannot
// redirect it), sends the Host of the URL, and gives up on a receiver that never answers.
import { createServer } from "node:http";
import type { IncomingHttpHeaders, Server } from "node:http";
import type { AddressInfo } from "node:net";
import { postWebhook } from "../src/webhooks/post";

describe("postWebhook", () => {
  let server: Server;
  let port: number;
  const seen: { url?: string; headers: IncomingHttpHeaders; body: string }[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        seen.push({ url: request.url, headers: request.headers, body: Buffer.concat(chunks).toString("utf8") });
        // A path that never answers, for the time limit.
        if (request.url === "/hang") return;
        response.writeHead(request.url === "/teapot" ? 418 : 204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("connects to the checked address whatever the name would resolve to now, and keeps the URL's host", async () => {
    // `.invalid` never resolves (RFC 2606): reaching the server proves the pinned address was used.
    const result = await postWebhook(new URL(`http://hooks.invalid:${port}/dgg?x=1`), { address: "127.0.0.1", family: 4 }, { "content-type": "application/json" }, `{"a":1}`, 2000);
    expect(result).toEqual({ status: 204 });
    expect(seen.at(-1)).toMatchObject({ url: "/dgg?x=1", body: `{"a":1}` });
    expect(seen.at(-1)!.headers.host).toBe(`hooks.invalid:${port}`);
    expect(seen.at(-1)!.headers["content-length"]).toBe("7");
  });

  it("reports any status, and a receiver that never answers as an error after the time limit", async () => {
    expect(await postWebhook(new URL(`http://127.0.0.1:${port}/teapot`), { address: "127.0.0.1", family: 4 }, {}, "{}", 2000)).toEqual({ status: 418 });
    const started = Date.now();
    await expect(postWebhook(new URL(`http://127.0.0.1:${port}/hang`), { address: "127.0.0.1", family: 4 }, {}, "{}", 300)).rejects.toThrow("no answer within 300 ms");
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
