/**
 * The seeded corpus of malformed requests: raw bodies that are not JSON, JSON that is not
 * a GraphQL request, mutated operations, operations with hostile arguments and
 * variables, and odd headers. fast-check makes it reproducible from its seed.
 */
import fc from "fast-check";

export interface FuzzRequest {
  method: "GET" | "POST";
  headers: Record<string, string>;
  body?: string;
  /** For GET: the query string. */
  search?: string;
}

const OPERATIONS = [
  `query($u: ID!) { personalData(user: $u) { userId account { id displayName } devices(first: 3) { totalCount edges { node { id } } } } }`,
  `query($u: ID!, $a: String) { personalData(user: $u) { telemetry(first: 2, after: $a) { edges { node { payload } } } auditLog { totalCount } } }`,
  `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`,
  `mutation($e: [TelemetryEventInput!]!) { ingestTelemetry(events: $e) { accepted } }`,
  `mutation($u: ID!) { restrictProcessing(user: $u, reason: "fuzz") { id status } }`,
  `mutation($u: ID!) { removeUserFromManagement(user: $u) { id } }`,
  `query($id: ID!) { tenant(id: $id) { id name } privacyRequest(id: $id) { id } }`,
  `query($n: String!) { userByPrincipalName(userPrincipalName: $n) { id } }`,
  `mutation($t: ID!, $r: Region!) { electStorageRegion(tenantId: $t, region: $r) { id } }`,
  `mutation { runRetention { startedAt } }`,
  `{ retentionPolicies { category purgeAfter } tenantAuditLog(first: 2) { totalCount } }`,
];

const HOSTILE_STRINGS = [
  "' OR 1=1 --",
  "\"; DROP TABLE user_account; --",
  "__proto__",
  "constructor",
  "../../etc/passwd",
  "\u202E\u0000",
  "😀".repeat(50),
  "%00",
  "${7*7}",
  "a".repeat(5000),
];

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...HOSTILE_STRINGS),
  fc.string({ maxLength: 40 }),
  fc.uuid(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom({ __proto__: { polluted: "yes" } }, JSON.parse(`{"__proto__": {"polluted": "yes"}}`), { constructor: { prototype: { polluted: "yes" } } }),
);

/** Applies a random edit to a valid operation: cut, insert, duplicate or swap a character range. */
const mutated = fc
  .tuple(fc.constantFrom(...OPERATIONS), fc.nat(), fc.nat({ max: 20 }), fc.constantFrom("delete", "insert", "duplicate", "replace"), fc.string({ maxLength: 8 }))
  .map(([operation, at, length, edit, text]) => {
    const start = at % (operation.length + 1);
    const end = Math.min(operation.length, start + length);
    if (edit === "delete") return operation.slice(0, start) + operation.slice(end);
    if (edit === "insert") return operation.slice(0, start) + text + operation.slice(start);
    if (edit === "duplicate") return operation.slice(0, end) + operation.slice(start, end) + operation.slice(end);
    return operation.slice(0, start) + text + operation.slice(end);
  });

const variables = fc.dictionary(fc.constantFrom("u", "a", "i", "e", "id", "n", "t", "r", "__proto__", "x"), hostileValue, { maxKeys: 4 });

export function fuzzRequests(tokens: string[]): fc.Arbitrary<FuzzRequest> {
  const authorization = fc.oneof(
    fc.constantFrom(...tokens.map((token) => `Bearer ${token}`)),
    fc.constant(undefined),
    fc.string({ maxLength: 30 }).map((text) => `Bearer ${text}`),
    fc.constantFrom("Bearer", "Basic YTpi", "bearer x.y.z"),
  );
  const withAuth = (headers: Record<string, string>, auth: string | undefined) => (auth === undefined ? headers : { ...headers, authorization: auth });
  const json = { "content-type": "application/json" };
  return fc.oneof(
    // Not JSON at all.
    fc.tuple(fc.string({ maxLength: 200 }), authorization).map(([body, auth]) => ({ method: "POST" as const, headers: withAuth(json, auth), body })),
    // JSON, but not a GraphQL request.
    fc.tuple(fc.jsonValue({ maxDepth: 3 }), authorization).map(([value, auth]) => ({ method: "POST" as const, headers: withAuth(json, auth), body: JSON.stringify(value) ?? "null" })),
    // A valid operation with hostile variables.
    fc.tuple(fc.constantFrom(...OPERATIONS), variables, authorization).map(([query, vars, auth]) => ({
      method: "POST" as const,
      headers: withAuth(json, auth),
      body: JSON.stringify({ query, variables: vars }),
    })),
    // A valid operation with well-typed but hostile variables, so the request reaches the subgraphs.
    fc
      .tuple(
        fc.constantFrom(...OPERATIONS),
        fc.record({
          u: fc.uuid(),
          id: fc.uuid(),
          t: fc.uuid(),
          a: fc.oneof(fc.string({ maxLength: 20 }), fc.constant(null)),
          n: fc.constantFrom(...HOSTILE_STRINGS.filter((text) => !text.includes("\u0000"))),
          r: fc.constantFrom("EUROPE", "ASIA_PACIFIC"),
          i: fc.record({ tenantId: fc.uuid(), userPrincipalName: fc.constantFrom(...HOSTILE_STRINGS, "x@y.z"), displayName: fc.string({ maxLength: 300 }) }),
          e: fc.array(
            fc.record({ userId: fc.uuid(), kind: fc.constantFrom("ERROR", "SERVICE_LOG"), occurredAt: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), payload: fc.object({ maxDepth: 2 }) }),
            { minLength: 1, maxLength: 3 },
          ),
        }),
        authorization,
      )
      .map(([query, vars, auth]) => ({ method: "POST" as const, headers: withAuth(json, auth), body: JSON.stringify({ query, variables: vars }) })),
    // A mutated operation.
    fc.tuple(mutated, variables, authorization).map(([query, vars, auth]) => ({ method: "POST" as const, headers: withAuth(json, auth), body: JSON.stringify({ query, variables: vars }) })),
    // Odd fields and types in the request envelope.
    fc.tuple(fc.record({ query: hostileValue, variables: hostileValue, operationName: hostileValue, extensions: hostileValue }, { requiredKeys: [] }), authorization).map(([envelope, auth]) => ({
      method: "POST" as const,
      headers: withAuth(json, auth),
      body: JSON.stringify(envelope),
    })),
    // Other content types and GET.
    fc.tuple(fc.constantFrom("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/graphql"), fc.constantFrom(...OPERATIONS), authorization).map(
      ([type, query, auth]) => ({ method: "POST" as const, headers: withAuth({ "content-type": type }, auth), body: query }),
    ),
    fc.tuple(mutated, authorization, fc.boolean()).map(([query, auth, preflight]) => ({
      method: "GET" as const,
      headers: withAuth(preflight ? { "apollo-require-preflight": "true" } : {}, auth),
      search: `?query=${encodeURIComponent(query)}`,
    })),
  );
}
