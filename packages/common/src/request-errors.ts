import { randomUUID } from "node:crypto";
import type { ErrorRequestHandler } from "express";
import type { ServiceLogger } from "./logging/logger";

/** body-parser's error types, in words that echo nothing of the body. */
const MESSAGES: Record<string, string> = {
  "entity.parse.failed": "request body is not valid JSON",
  "entity.too.large": "request body is larger than the limit",
  "encoding.unsupported": "request body has an unsupported content encoding",
  "charset.unsupported": "request body has an unsupported charset",
  "request.size.invalid": "request body is shorter or longer than its Content-Length",
  "request.aborted": "request was aborted",
};

/**
 * Express's default error page is HTML, with a stack trace outside production. Errors
 * raised before GraphQL runs (malformed JSON, a body over the limit) get the same shape
 * as every other answer instead: a GraphQL error with a contract code for `/graphql`,
 * `{error: {code, message}}` for the internal contract.
 */
export function requestErrorHandler(kind: "graphql" | "internal", log: ServiceLogger): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const info = (error ?? {}) as { status?: unknown; type?: unknown };
    const clientFault = typeof info.status === "number" && info.status >= 400 && info.status < 500;
    let code = "BAD_USER_INPUT";
    let message = typeof info.type === "string" ? (MESSAGES[info.type] ?? "request could not be read") : "request could not be read";
    let extra: Record<string, unknown> = {};
    if (!clientFault) {
      const reference = randomUUID();
      log.error({ err: error, reference }, "request failed");
      code = "INTERNAL_SERVER_ERROR";
      message = `Internal server error (reference ${reference})`;
      extra = { reference };
    }
    const status = clientFault ? (info.status as number) : 500;
    if (kind === "internal") res.status(status).json({ error: { code, message } });
    else res.status(status).json({ errors: [{ message, extensions: { code, ...extra } }] });
  };
}
