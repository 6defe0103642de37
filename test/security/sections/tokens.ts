/**
 * Tokens: through the gateway that trusts a loopback OIDC issuer and through the embedded
 * default's local key, every forged, stale, misdirected or malformed token is refused with
 * UNAUTHENTICATED and no data, before any subgraph is called; valid tokens of every role
 * are accepted, including after a key rotation.
 */
import { decodeJwt } from "jose";
import { storeFingerprint } from "../support/store-fingerprint";
import type { Tally } from "../support/tally";
import { localKeyAttacks, oidcAttacks } from "../support/token-attacks";
import type { World } from "../support/world";
import { codeOf, gqlAt } from "../support/world";

const PROBE = `query($u: ID!) { personalData(user: $u) { userId account { userPrincipalName } } }`;

export function tokensSection(world: () => World, tally: Tally): void {
  const now = (w: World) => Math.floor(w.system.clock.now().getTime() / 1000);

  it("accepts an OIDC token of every role, and follows a key rotation", async () => {
    const w = world();
    const claims = {
      operator: { sub: "ops", role: "operator" },
      "tenant-admin": { sub: "adm", role: "tenant-admin", tid: w.a.id },
      "privacy-officer": { sub: "dpo", role: "privacy-officer", tid: w.a.id },
      "data-subject": { sub: w.a.userId, role: "data-subject", tid: w.a.id, uid: w.a.userId },
      ingest: { sub: "ing", role: "ingest", tid: w.a.id },
    };
    for (const [role, claim] of Object.entries(claims)) {
      const response = await gqlAt(w.oidcGatewayUrl, await w.issuer.sign(claim, { iat: now(w) }), `{ tenant(id: "${w.a.id}") { id } }`);
      expect([role, response.body.errors, response.body.data?.tenant?.id]).toEqual([role, undefined, w.a.id]);
      tally.add("tokens");
    }
    const fresh = await w.issuer.rotate("ES256");
    const rotated = await gqlAt(w.oidcGatewayUrl, await w.issuer.sign(claims["privacy-officer"], { key: fresh, iat: now(w) }), PROBE, { u: w.a.userId });
    expect(rotated.body.data?.personalData?.account?.userPrincipalName).toBe(w.a.principalName);
    tally.add("tokens");
  });

  it("refuses every attack token at the OIDC gateway and at the local-key gateway, changing nothing", async () => {
    const w = world();
    const claims = { sub: "dpo@contoso", role: "privacy-officer", tid: w.a.id };
    const localValid = w.a.officer;
    const targets: [string, string, [string, string][]][] = [
      ["oidc", w.oidcGatewayUrl, await oidcAttacks(w.issuer, claims, now(w))],
      [
        "local key",
        w.system.gatewayUrl,
        await localKeyAttacks(w.system.issuerKeys, localValid, { sub: "dpo@contoso", role: "privacy-officer", tid: w.a.id }, now(w)),
      ],
    ];
    const before = await storeFingerprint(w.system);
    const problems: string[] = [];
    for (const [gateway, url, attacks] of targets) {
      for (const [name, token] of attacks) {
        const response = await gqlAt(url, token, PROBE, { u: w.a.userId });
        tally.add("tokens");
        if (codeOf(response) !== "UNAUTHENTICATED" || response.status !== 401 || response.body.data) {
          problems.push(`${gateway}: ${name}: ${response.status} ${JSON.stringify(response.body)}`);
        }
      }
    }
    // Malformed Authorization headers, before any token is parsed.
    for (const header of ["Bearer", "Bearer  ", "Basic dXNlcjpwYXNz", `Bearer ${localValid} ${localValid}`, `Bearer ${"a".repeat(12_000)}`, "Bearer \u0000"]) {
      const response = await w.send(w.system.gatewayUrl, {
        headers: { "content-type": "application/json", authorization: header.replace("\u0000", "%00") },
        body: JSON.stringify({ query: PROBE, variables: { u: w.a.userId } }),
      });
      tally.add("tokens");
      if (response.status !== 401 || !response.text.includes('"UNAUTHENTICATED"')) problems.push(`header ${header.slice(0, 30)}: ${response.status} ${response.text}`);
    }
    expect(problems).toEqual([]);
    expect(await storeFingerprint(w.system)).toEqual(before);
  });

  it("ignores an internal identity header sent by a client: the gateway mints its own", async () => {
    const w = world();
    const { x_token } = { x_token: await w.system.token({ subject: "svc", role: "operator", tenantId: null, userId: null }) };
    const response = await w.send(w.system.gatewayUrl, {
      headers: { "content-type": "application/json", authorization: `Bearer ${w.b.admin}`, "x-dgg-internal-token": x_token },
      body: JSON.stringify({ query: PROBE, variables: { u: w.a.userId } }),
    });
    expect(JSON.parse(response.text).errors[0].extensions.code).toBe("FORBIDDEN");
    expect(decodeJwt(w.b.admin).tid).toBe(w.b.id);
    tally.add("tokens");
  });
}
