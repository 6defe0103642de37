import { INTERNAL_TOKEN_HEADER } from "./identity";
import { isErrorCode, ServiceError, UnavailableError } from "./errors";
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
export async function callInternal<T>(
  url: string,
  options: { token: string; method?: "GET" | "POST"; body?: unknown; timeoutMs?: number },
): Promise<T> {
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
  const text = response.body.toString("utf8");
  let payload: unknown;
  try {
    payload = text.length > 0 ? JSON.parse(text) : null;
  } catch {
    throw new UnavailableError(`service at ${new URL(url).origin} answered ${response.status} with a non-JSON body`);
  }
  if (response.status < 200 || response.status > 299) {
    const error = (payload as { error?: { code?: unknown; message?: unknown; reference?: unknown; retryAfterSeconds?: unknown } } | null)?.error;
    if (error && isErrorCode(error.code) && typeof error.message === "string") {
      if (error.code === "UNAVAILABLE") {
        throw new UnavailableError(error.message, typeof error.retryAfterSeconds === "number" ? error.retryAfterSeconds : undefined);
      }
      throw new ServiceError(error.code, error.message, typeof error.reference === "string" ? { reference: error.reference } : {});
    }
    throw new UnavailableError(`service at ${new URL(url).origin} answered ${response.status}`);
  }
  return payload as T;
}
