import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import { isSpanContextValid, trace } from "@opentelemetry/api";
import type { NextFunction, Request, RequestHandler, Response } from "express";

/** The header a request's id travels in: from the client (or made up), to every service it reaches, and back. */
export const REQUEST_ID_HEADER = "x-request-id";

/**
 * What a client may send as its request id: an opaque token. No `@` and no spaces, so an
 * email or a name is never taken up (and logged); anything else gets a fresh id.
 */
const ACCEPTED_REQUEST_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

interface LogContext {
  requestId: string;
}

const storage = new AsyncLocalStorage<LogContext>();

/** The id of the request being served (in this async context), if any. */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/** Runs `work` as part of the request `requestId`: its log lines and its internal calls carry the id. */
export function runWithRequestId<T>(requestId: string, work: () => T): T {
  return storage.run({ requestId }, work);
}

/** The header to send on an internal call so the callee logs under the same request id; none outside a request. */
export function requestIdHeaders(): Record<string, string> {
  const requestId = currentRequestId();
  return requestId ? { [REQUEST_ID_HEADER]: requestId } : {};
}

/** The client's `x-request-id` when it is an acceptable id, otherwise a new one. */
export function requestIdFrom(header: string | undefined): string {
  return header !== undefined && ACCEPTED_REQUEST_ID.test(header) ? header : randomUUID();
}

/**
 * Express middleware, mounted first on every service: takes the request's id (see
 * requestIdFrom), echoes it in the response's `x-request-id`, and runs the rest of the
 * request in its log context.
 */
export function requestIdMiddleware(): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const requestId = requestIdFrom(req.header(REQUEST_ID_HEADER));
    res.setHeader(REQUEST_ID_HEADER, requestId);
    runWithRequestId(requestId, next);
  };
}

/** The active span's trace id, only when tracing is on and the span context is valid. */
export function currentTraceId(): string | undefined {
  const context = trace.getActiveSpan()?.spanContext();
  return context && isSpanContextValid(context) ? context.traceId : undefined;
}

/** The fields every log line written during a request adds: `requestId`, and `traceId` when there is a trace. */
export function logContextFields(): { requestId?: string; traceId?: string } {
  const requestId = currentRequestId();
  const traceId = currentTraceId();
  return { ...(requestId ? { requestId } : {}), ...(traceId ? { traceId } : {}) };
}
