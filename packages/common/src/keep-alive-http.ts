import http from "node:http";
import type { IncomingHttpHeaders } from "node:http";
import https from "node:https";

/**
 * Calls between this system's services, over node's own http client and keep-alive agents.
 *
 * Both ways these calls were made before cost more than the calls: the global `fetch` (undici)
 * with an AbortSignal per call was over half of governance's CPU per personalData request,
 * and the gateway's stock fetcher (make-fetch-happen, minipass, agent-base) about a fifth of
 * the gateway's (docs/benchmarks/gateway.md). Here a call is one request and one buffered
 * answer. Idle sockets close before the server's announced keep-alive timeout (node's agent
 * reads the `Keep-Alive: timeout` hint), so a call is not sent on a socket the server is
 * about to close. Nothing is retried: a POST is never sent twice.
 */

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
  constructor(url: string, cause: Error & { code?: string }) {
    super(`request to ${url} failed: ${cause.message}`, { cause });
    this.name = "ServiceUnreachableError";
    this.code = cause.code;
  }
}

/** One pool of keep-alive connections (per caller: the gateway's fetcher, `callInternal`). */
export class KeepAliveAgents {
  private readonly agentOptions = { keepAlive: true, maxSockets: Infinity, maxFreeSockets: 256, scheduling: "fifo" } as const;
  readonly http = new http.Agent(this.agentOptions);
  readonly https = new https.Agent(this.agentOptions);

  /** Sends one request and reads the whole answer; `timeoutMs` bounds the whole call. */
  call(url: string, options: { method: string; headers?: Record<string, string>; body?: string | Buffer; timeoutMs?: number }): Promise<HttpAnswer> {
    return new Promise<HttpAnswer>((resolve, reject) => {
      const secure = url.startsWith("https:");
      const client = secure ? https : http;
      let timer: NodeJS.Timeout | undefined;
      const fail = (error: Error & { code?: string }) => {
        clearTimeout(timer);
        reject(new ServiceUnreachableError(url, error));
      };
      const request = client.request(url, { method: options.method, headers: options.headers, agent: secure ? this.https : this.http }, (response) => {
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
