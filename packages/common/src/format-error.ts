import { randomUUID } from "node:crypto";
import type { GraphQLFormattedError } from "graphql";
import { unwrapResolverError } from "@apollo/server/errors";
import { ServiceError } from "./errors";
import type { ServiceLogger } from "./logging/logger";
import { ServiceUnreachableError } from "./keep-alive-http";

/** Apollo's request-level codes, mapped onto the contract's: each is the client's fault. */
const CLIENT_FAULT_CODES = new Set([
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_REQUEST",
  "BAD_USER_INPUT",
  "OPERATION_RESOLUTION_FAILURE",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
]);
const REFERENCE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CONTRACT_CODES = new Set(["UNAUTHENTICATED", "FORBIDDEN", "BAD_USER_INPUT", "NOT_FOUND", "CONFLICT", "UNAVAILABLE"]);

/**
 * Apollo `formatError`: contract errors pass through; request errors become BAD_USER_INPUT
 * (the original code kept as `reason`); anything unexpected (a driver error, a bug) is
 * logged with a reference and masked, so no SQL or stack trace ever reaches a client.
 * The log line holds the error's class, code and stack frames, not its message (safeError).
 */
export function createErrorFormatter(log: ServiceLogger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const { stacktrace: _dropped, ...extensions } = (formatted.extensions ?? {}) as Record<string, unknown>;
    if (original instanceof ServiceError) return { ...formatted, extensions };
    const code = typeof extensions.code === "string" ? extensions.code : undefined;
    if (code && CONTRACT_CODES.has(code)) return { ...formatted, extensions };
    if (code && CLIENT_FAULT_CODES.has(code)) {
      return { ...formatted, extensions: { ...extensions, code: "BAD_USER_INPUT", reason: code } };
    }
    // Already masked where it happened (a subgraph logged the details under this reference): keep its reference.
    if (code === "INTERNAL_SERVER_ERROR" && typeof extensions.reference === "string" && REFERENCE.test(extensions.reference)) {
      return { message: `Internal server error (reference ${extensions.reference})`, path: formatted.path, extensions: { code, reference: extensions.reference } };
    }
    if (isUnreachable(original)) {
      // A subgraph that is down or restarting: the client may retry, nothing is wrong with its request.
      return { message: "A service behind the gateway is unavailable; retry shortly", path: formatted.path, extensions: { code: "UNAVAILABLE", retryAfterSeconds: 2 } };
    }
    const reference = randomUUID();
    log.error({ err: original, reference, path: formatted.path }, "internal error");
    return {
      message: `Internal server error (reference ${reference})`,
      path: formatted.path,
      extensions: { code: "INTERNAL_SERVER_ERROR", reference },
    };
  };
}

/** Connection failures to a subgraph: the gateway's fetcher's, or FetchError from a stock fetcher. */
function isUnreachable(error: unknown): boolean {
  if (error instanceof ServiceUnreachableError) return true;
  if (!(error instanceof Error)) return false;
  return error.name === "FetchError" && /ECONNREFUSED|ECONNRESET|socket hang up/.test(error.message);
}
