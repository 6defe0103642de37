import http from "node:http";
import type { IncomingHttpHeaders } from "node:http";
import https from "node:https";

/**
 * Calls between this system's services, over node's own http client and keep-alive agents.
 *
 * Both ways these calls were made before cost more than the calls: the global `fetch` (undici)
 * with an AbortSignal per call was about a sixth of governance's busy time under personalData,
 * and the gateway's stock fetcher (make-fetch-happen, minipass, agent-base) about a fifth of
 * the gateway's (docs/benchmarks/gateway.md, docs/decisions/0053). Here a call is one request
 * and one buffered answer.
 *
 * A kept-alive socket that the server closes for idleness just as a call goes out on it
 * fails that call ("socket hang up"). So idle sockets are dropped after IDLE_SOCKET_MS, below
 * node's server default of 5 s (node's agent shortens it further when a server announces a
 * shorter `Keep-Alive: timeout`, but only when the agent has a timeout of its own). A GET
 * that still meets a closed socket, having gone out on a reused one, is sent once more on a
 * fresh one; nothing else is retried: a POST is never sent twice.
 */

/** Below node's default server keep-alive timeout (5 s), and far below the 65 s of this system's services (`listen`). */
const IDLE_SOCKET_MS = 4_000;

/** The errors of a request written to a socket its server had already closed. */
const STALE_SOCKET_CODES = new Set(["ECONNRESET", "EPIPE"]);

/** An answer read whole (answers between services are bounded: pages, not streams). */
export interface HttpAnswer {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A call that failed at the connection (refused, reset, hung up, timed out): the callee is down, restarting or stuck. */
export class ServiceUnreachableError extends Error {
  readonly code: string | undefined;
  constructor(
    url: string,
    cause: Error & { code?: string },
    /** It went out on a kept-alive socket and got no answer: the server may have closed that socket first. */
    readonly onReusedSocket = false,
  ) {
    super(`request to ${url} failed: ${cause.message}`, { cause });
    this.name = "ServiceUnreachableError";
    this.code = cause.code;
  }
}

/** One call: `timeoutMs` bounds the whole of it. */
export interface HttpCall {
  method: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  timeoutMs?: number;
}

/** One pool of keep-alive connections (per caller: the gateway's fetcher, `callInternal`). */
export class KeepAliveAgents {
  private readonly agentOptions = { keepAlive: true, maxSockets: Infinity, maxFreeSockets: 256, scheduling: "fifo", timeout: IDLE_SOCKET_MS } as const;
  readonly http = new http.Agent(this.agentOptions);
  readonly https = new https.Agent(this.agentOptions);

  /** Sends one request and reads the whole answer. */
  async call(url: string, options: HttpCall): Promise<HttpAnswer> {
    try {
      return await this.send(url, options);
    } catch (error) {
      const stale = error instanceof ServiceUnreachableError && error.onReusedSocket && error.code !== undefined && STALE_SOCKET_CODES.has(error.code);
      if (!stale || options.method !== "GET") throw error;
      return this.send(url, options);
    }
  }

  private send(url: string, options: HttpCall): Promise<HttpAnswer> {
    return new Promise<HttpAnswer>((resolve, reject) => {
      const secure = url.startsWith("https:");
      const client = secure ? https : http;
      let timer: NodeJS.Timeout | undefined;
      let answered = false;
      const fail = (error: Error & { code?: string }) => {
        clearTimeout(timer);
        // Only a request that got no answer at all on a reused socket may have met a stale one.
        reject(new ServiceUnreachableError(url, error, request.reusedSocket && !answered));
      };
      const request = client.request(url, { method: options.method, headers: options.headers, agent: secure ? this.https : this.http }, (response) => {
        answered = true;
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          clearTimeout(timer);
          resolve({ status: response.statusCode ?? 0, statusText: response.statusMessage ?? "", headers: response.headers, body: Buffer.concat(chunks) });
        });
        response.on("error", fail);
      });
      request.on("error", fail);
      if (options.timeoutMs !== undefined) {
        const timeoutMs = options.timeoutMs;
        timer = setTimeout(() => request.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: "ETIMEDOUT" })), timeoutMs);
      }
      request.end(options.body);
    });
  }
}
