import type { IncomingHttpHeaders } from "node:http";
import type { RemoteGraphQLDataSource } from "@apollo/gateway";
import { KeepAliveAgents } from "@dgg/common";

// The fetch-like contract @apollo/gateway's data sources call (from @apollo/utils.fetcher).
type Fetcher = RemoteGraphQLDataSource["fetcher"];
type FetcherRequestInit = NonNullable<Parameters<Fetcher>[1]>;
type FetcherResponse = Awaited<ReturnType<Fetcher>>;
type FetcherHeaders = FetcherResponse["headers"];

/**
 * The gateway's subgraph fetcher: one keep-alive pool (KeepAliveAgents in @dgg/common), the
 * same connection rules as the stock fetcher (keep-alive, no limit on sockets, first in first
 * out, no retries), without its per-call wrapping, which was about a fifth of the gateway's
 * CPU per personalData request (docs/benchmarks/gateway.md). Connection failures come back
 * as ServiceUnreachableError, which the error formatter answers as UNAVAILABLE.
 */
export function keepAliveFetcher(connections = new KeepAliveAgents()): Fetcher {
  return async (url: string, init: FetcherRequestInit = {}) => {
    const answer = await connections.call(url, { method: init.method ?? "GET", headers: init.headers, body: init.body });
    return new BufferedResponse(url, answer.status, answer.statusText, responseHeaders(answer.headers), answer.body);
  };
}

/** A subgraph's answer, already read whole (subgraph answers are bounded by the gateway's row limits). */
class BufferedResponse implements FetcherResponse {
  readonly redirected = false;
  private used = false;

  constructor(
    readonly url: string,
    readonly status: number,
    readonly statusText: string,
    readonly headers: FetcherHeaders,
    private readonly body: Buffer,
  ) {}

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  get bodyUsed(): boolean {
    return this.used;
  }

  private take(): Buffer {
    if (this.used) throw new TypeError(`the body of ${this.url}'s answer was already read`);
    this.used = true;
    return this.body;
  }

  // Async, so that a second read rejects as fetch's does rather than throwing.
  async arrayBuffer(): Promise<ArrayBuffer> {
    const body = this.take();
    return body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer;
  }

  async text(): Promise<string> {
    return this.take().toString("utf8");
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text()) as unknown;
  }

  clone(): FetcherResponse {
    if (this.used) throw new TypeError(`the body of ${this.url}'s answer was already read`);
    return new BufferedResponse(this.url, this.status, this.statusText, new Headers([...this.headers]), this.body);
  }
}

/** Node's parsed headers as the fetch API's Headers (lower-case names, repeated values joined). */
function responseHeaders(raw: IncomingHttpHeaders): FetcherHeaders {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const each of value) headers.append(name, each);
    else headers.set(name, value);
  }
  return headers;
}
