/**
 * Ports for the services a test starts. Chosen below the kernel's ephemeral range
 * (32768-60999 on Linux), because a port the kernel hands out for `listen(0)` is also one it
 * hands out for outgoing connections: between choosing it and a child process binding it, a
 * client socket of another service could take it (EADDRINUSE). Below that range only
 * listeners compete, and this process never hands out the same port twice.
 */
import { createServer } from "node:net";

const FIRST = 20_000;
const LAST = 32_000;
const handedOut = new Set<number>();

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** A port nothing listens on now and that no earlier call of this process returned. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 1000; attempt += 1) {
    const port = FIRST + Math.floor(Math.random() * (LAST - FIRST));
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port between ${FIRST} and ${LAST} after 1000 tries`);
}
