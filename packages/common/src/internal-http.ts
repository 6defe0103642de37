import { INTERNAL_TOKEN_HEADER } from "./identity";
import { isErrorCode, ServiceError, UnavailableError } from "./errors";
import { receivedExportLines } from "./export-lines";
import type { ReceivedExportLines } from "./export-lines";
import { KeepAliveAgents } from "./keep-alive-http";
import type { HttpAnswer } from "./keep-alive-http";
import { requestIdHeaders } from "./logging/context";

/** The process's connections to the other services' internal contracts (one pool, kept alive). */
const connections = new KeepAliveAgents();

/**
 * Calls another service's internal contract (`/internal/...`) with an internal identity.
 * A remote error comes back as the same ServiceError (code and message); an unreachable
 * service is UNAVAILABLE, so callers can retry rather than mistake an outage for "nothing held".
 * Made while a request is served, the call carries its `x-request-id`, so the callee's log
 * lines carry the same id.
 *
 * @example
 * const holdings = await callInternal<Holdings>(`${urls.users}/internal/personal-data/${id}`, { token });
 */
export async function callInternal<T>(url: string, options: InternalCallOptions): Promise<T> {
  const response = await answerOf(url, options);
  const text = response.body.toString("utf8");
  try {
    return (text.length > 0 ? JSON.parse(text) : null) as T;
  } catch {
    throw new UnavailableError(`service at ${new URL(url).origin} answered ${response.status} with a non-JSON body`);
  }
}

/** One page of the internal export (`/export`), as NDJSON (export-lines.ts): the body is not parsed. */
export async function callInternalExport(url: string, options: InternalCallOptions): Promise<ReceivedExportLines> {
  const response = await answerOf(url, options);
  return receivedExportLines(response.headers, response.body, new URL(url).origin);
}

export interface InternalCallOptions {
  token: string;
  method?: "GET" | "POST";
  body?: unknown;
  timeoutMs?: number;
}

/** The callee's successful answer; an error answer as the ServiceError it stands for, an outage as UNAVAILABLE. */
async function answerOf(url: string, options: InternalCallOptions): Promise<HttpAnswer> {
  let response: HttpAnswer;
  try {
    response = await connections.call(url, {
      method: options.method ?? (options.body === undefined ? "GET" : "POST"),
      headers: { [INTERNAL_TOKEN_HEADER]: options.token, "content-type": "application/json", ...requestIdHeaders() },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      timeoutMs: options.timeoutMs ?? 60_000,
    });
  } catch (error) {
    const reason = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
    throw new UnavailableError(`service at ${new URL(url).origin} is unreachable (${reason})`);
  }
  if (response.status >= 200 && response.status <= 299) return response;
  let payload: unknown = null;
  try {
    payload = JSON.parse(response.body.toString("utf8"));
  } catch {
    throw new UnavailableError(`service at ${new URL(url).origin} answered ${response.status} with a non-JSON body`);
  }
  const error = (payload as { error?: { code?: unknown; message?: unknown; reference?: unknown; retryAfterSeconds?: unknown } } | null)?.error;
  if (error && isErrorCode(error.code) && typeof error.message === "string") {
    if (error.code === "UNAVAILABLE") {
      throw new UnavailableError(error.message, typeof error.retryAfterSeconds === "number" ? error.retryAfterSeconds : undefined);
    }
    throw new ServiceError(error.code, error.message, typeof error.reference === "string" ? { reference: error.reference } : {});
  }
  throw new UnavailableError(`service at ${new URL(url).origin} answered ${response.status}`);
}
