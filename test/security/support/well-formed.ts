/** What a client may ever receive from the gateway: a GraphQL answer, never a page, a stack or SQL. */
export const CONTRACT_CODES = new Set(["UNAUTHENTICATED", "FORBIDDEN", "BAD_USER_INPUT", "NOT_FOUND", "CONFLICT", "UNAVAILABLE", "INTERNAL_SERVER_ERROR"]);
const LEAKS = /\n\s+at |\bat [\w.<>]+ \(|SELECT |INSERT INTO|UPDATE "|DELETE FROM|QueryFailedError|SQLITE_|node_modules|\.ts:\d+/;

export interface RawResponse {
  status: number;
  contentType: string;
  text: string;
}

export interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/** Returns what is wrong with a response (empty when it is a well-formed GraphQL error or success). */
export function malformation(response: RawResponse): string | null {
  if (response.status >= 500) return `status ${response.status}`;
  if (!/application\/(graphql-response\+)?json/.test(response.contentType)) return `content-type ${response.contentType}`;
  let body: GraphQLBody;
  try {
    body = JSON.parse(response.text) as GraphQLBody;
  } catch {
    return "body is not JSON";
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) return "body is not an object";
  if (LEAKS.test(response.text)) return "body leaks a stack trace or SQL";
  const hasData = body.data !== undefined;
  if (body.errors === undefined) return hasData && body.data !== null ? null : "neither data nor errors";
  if (!Array.isArray(body.errors) || body.errors.length === 0) return "errors is not a non-empty list";
  for (const error of body.errors) {
    if (typeof error?.message !== "string") return "an error has no message";
    const code = error.extensions?.code;
    if (typeof code !== "string" || !CONTRACT_CODES.has(code)) return `an error has code ${JSON.stringify(code)}`;
    if (error.extensions && "stacktrace" in error.extensions) return "an error carries a stacktrace";
  }
  return null;
}

/** A refusal: errors, and no root field with data. */
export function isRefusal(body: GraphQLBody): boolean {
  if (!body.errors || body.errors.length === 0) return false;
  return !body.data || Object.values(body.data).every((value) => value === null);
}
