/**
 * A webhook receiver for the tests: a loopback HTTP server that checks the signature of
 * every POST as the README tells receivers to (HMAC-SHA256 over "<t>.<body>", constant-time
 * compare, 300 s tolerance) and, independently, with Stripe's own verifier. A bad signature
 * is answered 401; a good one 200, or whatever the test scripted for the next deliveries.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import Stripe from "stripe";

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Our check, the README's snippet. */
  valid: boolean;
  /** Stripe's `webhooks.signature.verifyHeader` on the same bytes. */
  stripeValid: boolean;
  answered: number;
  /** Test-clock time it arrived (ms), for latency. */
  at: number;
}

/** The README's verification: what a receiver should do with X-DGG-Signature. */
export function verifySignature(body: string, header: string | undefined, secret: string, nowSeconds: number, toleranceSeconds = 300): boolean {
  const parts = Object.fromEntries((header ?? "").split(",").map((part) => part.split("=", 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v1 || Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = Buffer.from(createHmac("sha256", secret).update(`${t}.${body}`).digest("hex"));
  const given = Buffer.from(parts.v1);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Stripe's verifier, which throws on a mismatch; given the test clock's time (its `receivedAt` is in ms), so a moved clock is honoured. */
export function stripeVerifies(body: string, header: string | undefined, secret: string, nowSeconds: number): boolean {
  try {
    return Stripe.webhooks.signature!.verifyHeader(body, header ?? "", secret, 300, undefined, nowSeconds * 1000);
  } catch {
    return false;
  }
}

/**
 * The verification snippet of the README's "Webhooks" section, run as written (it reads the
 * wall clock, so it suits deliveries signed before the test clock moved).
 */
export function readmeVerifier(): (rawBody: string, header: string, secret: string) => boolean {
  const readme = readFileSync(join(__dirname, "..", "..", "README.md"), "utf8");
  const code = /```js\n((?:(?!```)[\s\S])*function verifyDggSignature[\s\S]*?)\n```/.exec(readme)?.[1];
  if (!code) throw new Error("README has no verifyDggSignature snippet");
  return new Function("require", `${code}\nreturn verifyDggSignature;`)(require) as (rawBody: string, header: string, secret: string) => boolean;
}

export interface Receiver {
  url(path: string): string;
  /** The signing secret of the webhook that posts to `path`. */
  expect(path: string, secret: string): void;
  /** The next `count` POSTs to `path` are answered `status` (after their signature is checked). */
  failNext(path: string, count: number, status: number): void;
  received: Received[];
  at(path: string): Received[];
  /** Resolves once `path` has received `count` POSTs. */
  waitFor(path: string, count: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startReceiver(nowMs: () => number): Promise<Receiver> {
  const secrets = new Map<string, string>();
  const failures = new Map<string, { count: number; status: number }>();
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const path = request.url ?? "/";
      const body = Buffer.concat(chunks).toString("utf8");
      const secret = secrets.get(path) ?? "";
      const header = request.headers["x-dgg-signature"] as string | undefined;
      const now = Math.floor(nowMs() / 1000);
      const valid = verifySignature(body, header, secret, now);
      const stripeValid = stripeVerifies(body, header, secret, now);
      const failure = failures.get(path);
      let answered = valid ? 200 : 401;
      if (valid && failure && failure.count > 0) {
        failure.count -= 1;
        answered = failure.status;
      }
      received.push({ path, headers: request.headers, body, valid, stripeValid, answered, at: nowMs() });
      response.writeHead(answered, { "content-type": "text/plain" }).end(answered === 200 ? "ok" : "no");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const at = (path: string) => received.filter((entry) => entry.path === path);
  return {
    url: (path) => `${base}${path}`,
    expect: (path, secret) => void secrets.set(path, secret),
    failNext: (path, count, status) => void failures.set(path, { count, status }),
    received,
    at,
    async waitFor(path, count, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (at(path).length < count) {
        if (Date.now() > deadline) throw new Error(`${path} received ${at(path).length} POSTs, expected ${count}: ${JSON.stringify(at(path).map((r) => r.body))}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return at(path);
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
