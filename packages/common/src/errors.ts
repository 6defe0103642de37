import { GraphQLError } from "graphql";

/**
 * The error codes a client can see. Every error that leaves a service carries
 * exactly one of these in `extensions.code` (see the API contract).
 */
export type ErrorCode =
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "BAD_USER_INPUT"
  | "NOT_FOUND"
  | "CONFLICT"
  | "UNAVAILABLE"
  | "INTERNAL_SERVER_ERROR";

const HTTP_STATUS: Record<ErrorCode, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  BAD_USER_INPUT: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  UNAVAILABLE: 503,
  INTERNAL_SERVER_ERROR: 500,
};

/** Base class: a GraphQLError whose code is part of the public contract. */
export class ServiceError extends GraphQLError {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, extra: Record<string, unknown> = {}) {
    super(message, { extensions: { ...extra, code } });
    this.code = code;
  }
  /** HTTP status used by the internal REST contract. */
  get httpStatus(): number {
    return HTTP_STATUS[this.code];
  }
}

export class UnauthenticatedError extends ServiceError {
  constructor(message = "Authentication required: send 'Authorization: Bearer <token>'") {
    super("UNAUTHENTICATED", message);
  }
}

export class ForbiddenError extends ServiceError {
  constructor(message: string) {
    super("FORBIDDEN", message);
  }
}

export class BadUserInputError extends ServiceError {
  /** @param argument the argument or input field that was wrong, so clients can point at it. */
  constructor(message: string, argument?: string) {
    super("BAD_USER_INPUT", message, argument ? { argument } : {});
  }
}

export class NotFoundError extends ServiceError {
  constructor(message: string) {
    super("NOT_FOUND", message);
  }
}

export class ConflictError extends ServiceError {
  constructor(message: string) {
    super("CONFLICT", message);
  }
}

export class UnavailableError extends ServiceError {
  constructor(message: string, retryAfterSeconds = 5) {
    super("UNAVAILABLE", message, { retryAfterSeconds });
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && value in HTTP_STATUS;
}

/** HTTP status for a code, for the internal REST contract. */
export function httpStatusOf(code: ErrorCode): number {
  return HTTP_STATUS[code];
}

/** Rebuilds a ServiceError from a code and message received from another service. */
export function errorFromCode(code: ErrorCode, message: string): ServiceError {
  return new ServiceError(code, message);
}

/** Quotes a client-supplied value for an error message, bounded so that huge inputs do not echo back. */
export function quote(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value) ?? String(value);
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);
}
