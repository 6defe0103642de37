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

/**
 * What a refused caller was after, when the refusing service knows it: kept on the error
 * object for the access audit (the target tenant's admins see the attempt), never sent
 * to the client, whose message stays the same whether or not the thing exists.
 */
export interface DenialTarget {
  /**
   * The tenant whose data was asked for, when the refusing code knows it: the tenant of a
   * user or request that exists, or a tenant id the caller named (an entry filed under an
   * id no tenant has is read by nobody).
   */
  tenantId?: string | null;
  /** The user concerned, recorded in the target tenant's trail only. */
  userId?: string | null;
}

export class ForbiddenError extends ServiceError {
  readonly target: DenialTarget;
  constructor(message: string, target: DenialTarget = {}) {
    super("FORBIDDEN", message);
    this.target = target;
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

/** Quotes a client-supplied value for an error message, bounded so that huge inputs do not echo back. */
export function quote(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value) ?? String(value);
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);
}
