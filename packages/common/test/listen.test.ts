/**
 * Scenario: a service starts on a port that is already taken (a test suite's pre-chosen port
 * taken by another, a replica restarted before the old one let go). Starting must fail with
 * EADDRINUSE, not hang: Express 5 hands the error to the listen callback.
 */
import { execFile } from "node:child_process";
import express from "express";
import { listen } from "../src/subgraph-server";

/**
 * A caller in its own process, as KeepAliveAgents calls (keep-alive, idle sockets dropped
 * after 4 s): one GET; 3 s later its event loop is busy for 3 s (as during a synchronous
 * SQLite statement), and right after, in the same turn, a second GET goes out on the kept
 * socket before the caller's overdue idle timer could drop it. Prints the second's outcome.
 */
const STALLED_CALLER = `
const http = require("node:http");
const agent = new http.Agent({ keepAlive: true, timeout: 4000 });
const get = () => new Promise((resolve) => {
  const request = http.get(process.argv[1], { agent }, (response) => { response.resume(); response.on("end", () => resolve("answered " + response.statusCode)); });
  request.on("error", (error) => resolve("failed " + error.code));
});
get().then(() => setTimeout(() => {
  const until = Date.now() + 3000;
  while (Date.now() < until) {}
  get().then((outcome) => { console.log(outcome); process.exit(0); });
}, 3000));
`;

describe("listen", () => {
  it("rejects with EADDRINUSE on a taken port, and still serves on a free one", async () => {
    const first = await listen(express(), 0);
    try {
      const port = Number(new URL(first.url).port);
      await expect(listen(express(), port)).rejects.toMatchObject({ code: "EADDRINUSE" });
    } finally {
      await first.close();
    }
  });

  it("keeps an idle connection open long after its callers would drop it, so a stalled caller never writes to a closed one", async () => {
    // With node's default 5 s keep-alive timeout the server closes the socket at 5 s, and the
    // caller, stalled until 6 s, writes its request to it: ECONNRESET (a POST cannot be resent).
    const app = express();
    app.get("/x", (_req, res) => {
      res.send("ok");
    });
    const server = await listen(app, 0);
    try {
      const outcome = await new Promise<string>((resolve, reject) =>
        execFile(process.execPath, ["-e", STALLED_CALLER, `${server.url}/x`], (error, stdout) => (error ? reject(error) : resolve(stdout.trim()))),
      );
      expect(outcome).toBe("answered 200");
    } finally {
      await server.close();
    }
  }, 30_000);
});
