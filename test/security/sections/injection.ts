/**
 * Injection-shaped input: SQL metacharacters, huge strings, unicode edge cases and
 * prototype-pollution keys are either stored verbatim (and read back byte for byte) or
 * refused with BAD_USER_INPUT; nothing is ever executed, and no object prototype changes.
 */
import { countAcross } from "../../support/system";
import { randomUUID } from "node:crypto";
import type { Tally } from "../support/tally";
import type { World } from "../support/world";
import { codeOf } from "../support/world";

const VERBATIM = [
  "Robert'); DROP TABLE user_account; --",
  `" OR "1"="1`,
  "1; SELECT pg_sleep(5)",
  "%_\\%' ESCAPE '\\",
  "$1 $$ ?? :name",
  "Zoë 日本語 😀 \u{1F468}\u200D\u{1F469}\u200D\u{1F467}",
  "\u202Egnp.exe",
  "e\u0301\u0301\u0301 ﷽ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
  "<script>alert(1)</script>",
  "{{constructor.constructor('return process')()}}",
  "x".repeat(256),
];
const REFUSED: [string, string][] = [
  ["257 characters", "y".repeat(257)],
  ["one megabyte", "z".repeat(1_000_000)],
  ["NUL", "before\u0000after"],
  ["lone high surrogate", "broken \uD800 text"],
  ["lone low surrogate", "broken \uDC00 text"],
];

export function injectionSection(world: () => World, tally: Tally): void {
  it("stores SQL metacharacters and unicode edge cases verbatim, and refuses what cannot be stored", async () => {
    const w = world();
    const problems: string[] = [];
    for (const displayName of VERBATIM) {
      const created = await w.system.gql(w.a.admin, `mutation($i: CreateUserInput!) { createUser(input: $i) { id displayName } }`, {
        i: { tenantId: w.a.id, userPrincipalName: `inj-${randomUUID().slice(0, 8)}@contoso.example.com`, displayName },
      });
      tally.add("injection");
      const id = created.body.data?.createUser?.id as string | undefined;
      if (!id) {
        problems.push(`${JSON.stringify(displayName.slice(0, 40))}: ${JSON.stringify(created.body.errors)}`);
        continue;
      }
      const read = await w.system.gql(w.a.admin, `query($u: ID!) { personalData(user: $u) { account { displayName } } }`, { u: id });
      if (read.body.data?.personalData?.account?.displayName !== displayName) problems.push(`${JSON.stringify(displayName.slice(0, 40))} came back changed`);
    }
    for (const [name, displayName] of REFUSED) {
      const before = await countAcross(w.system, "users", `SELECT COUNT(*) AS n FROM user_account`);
      const refused = await w.system.gql(w.a.admin, `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`, {
        i: { tenantId: w.a.id, userPrincipalName: `ref-${randomUUID().slice(0, 8)}@contoso.example.com`, displayName },
      });
      tally.add("injection");
      const after = await countAcross(w.system, "users", `SELECT COUNT(*) AS n FROM user_account`);
      if (codeOf(refused) !== "BAD_USER_INPUT" || after !== before) problems.push(`${name}: ${JSON.stringify(refused.body).slice(0, 300)}`);
      if (JSON.stringify(refused.body).length > 2000) problems.push(`${name}: the refusal echoes the input`);
    }
    expect(problems).toEqual([]);
  });

  it("never treats identifiers, names or cursors as SQL", async () => {
    const w = world();
    const byName = await w.system.gql(w.a.admin, `query($n: String!) { userByPrincipalName(userPrincipalName: $n) { id } }`, { n: "' OR '1'='1" });
    expect(codeOf(byName)).toBe("NOT_FOUND");
    const byId = await w.system.gql(w.a.admin, `query($u: ID!) { personalData(user: $u) { userId } }`, { u: "' OR 1=1 --" });
    expect([codeOf(byId), byId.body.errors![0]!.extensions!.argument]).toEqual(["BAD_USER_INPUT", "user"]);
    const cursor = await w.system.gql(w.a.admin, `query($u: ID!, $a: String) { personalData(user: $u) { devices(after: $a) { totalCount } } }`, {
      u: w.a.userId,
      a: Buffer.from(`[0,"' OR 1=1 --"]`).toString("base64url"),
    });
    expect(cursor.body.errors).toBeUndefined();
    const badCursor = await w.system.gql(w.a.admin, `query($u: ID!, $a: String) { personalData(user: $u) { devices(after: $a) { totalCount } } }`, { u: w.a.userId, a: "'; DROP TABLE device; --" });
    expect(codeOf(badCursor)).toBe("BAD_USER_INPUT");
    expect(await countAcross(w.system, "users", `SELECT COUNT(*) AS n FROM device`)).toBeGreaterThan(0);
    tally.add("injection", 4);
  });

  it("keeps prototype-pollution keys as plain data, in payloads and in the request itself", async () => {
    const w = world();
    const payload = `{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"toString":"x","sql":"'; DROP TABLE telemetry_event; --"}`;
    const occurredAt = w.system.clock.now().toISOString();
    const body = `{"__proto__":{"polluted":"yes"},"query":"mutation($e: [TelemetryEventInput!]!) { ingestTelemetry(events: $e) { accepted } }","variables":{"__proto__":{"isAdmin":true},"e":[{"userId":"${w.a.userId}","kind":"PERFORMANCE_LOG","occurredAt":"${occurredAt}","payload":${payload}}]}}`;
    const sent = await w.send(w.system.gatewayUrl, { headers: { "content-type": "application/json", authorization: `Bearer ${w.a.admin}` }, body });
    expect(JSON.parse(sent.text)).toEqual({ data: { ingestTelemetry: { accepted: 1 } } });
    const read = await w.send(w.system.gatewayUrl, {
      headers: { "content-type": "application/json", authorization: `Bearer ${w.a.admin}` },
      body: JSON.stringify({ query: `query($u: ID!) { personalData(user: $u) { telemetry(first: 1, kinds: [PERFORMANCE_LOG]) { edges { node { payload } } } } }`, variables: { u: w.a.userId } }),
    });
    expect(read.text).toContain(`"__proto__":{"polluted":"yes"}`);
    expect(read.text).toContain(`"sql":"'; DROP TABLE telemetry_event; --"`);
    const probe: Record<string, unknown> = {};
    expect([probe.polluted, probe.isAdmin, Object.prototype.hasOwnProperty.call(Object.prototype, "polluted")]).toEqual([undefined, undefined, false]);
    tally.add("injection", 2);
  });
}
