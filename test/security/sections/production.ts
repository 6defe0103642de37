/**
 * Production hardening: no introspection, no landing page, no field suggestions, and an
 * error deep in a store (here: a table gone missing) reaches the client as
 * INTERNAL_SERVER_ERROR with a reference, never with SQL or a stack trace.
 */
import type { Tally } from "../support/tally";
import { malformation } from "../support/well-formed";
import type { World } from "../support/world";

export function productionSection(world: () => World, tally: Tally): void {
  it("serves no schema, no landing page and no suggestions in production", async () => {
    const w = world();
    const gateway = await w.extraGateway({ production: true });
    const post = (token: string | null, query: string) =>
      w.send(gateway.url, { headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify({ query }) });
    for (const token of [null, w.a.admin]) {
      for (const query of [`{ __schema { types { name } } }`, `{ __type(name: "PersonalData") { fields { name } } }`]) {
        const response = await post(token, query);
        expect(malformation(response)).toBeNull();
        const body = JSON.parse(response.text);
        expect(body.data ?? null).toBeNull();
        expect(body.errors[0].extensions.code).toBe("BAD_USER_INPUT");
        tally.add("production");
      }
    }
    const page = await w.send(gateway.url, { method: "GET", headers: { accept: "text/html" } });
    expect(page.contentType).not.toContain("text/html");
    expect(page.text).not.toMatch(/sandbox|embeddable|<html/i);
    const suggestion = await post(w.a.admin, `{ personalDat(user: "x") { userId } }`);
    expect(suggestion.text).not.toContain("Did you mean");
    expect(JSON.parse(suggestion.text).errors[0].extensions.code).toBe("BAD_USER_INPUT");
    const development = await w.system.gql(w.a.admin, `{ personalDat(user: "x") { userId } }`);
    expect(development.body.errors![0]!.message).toContain("Did you mean");
    tally.add("production", 3);
  });

  it("masks a store failure as INTERNAL_SERVER_ERROR with a reference, without SQL or a stack trace", async () => {
    const w = world();
    const gateway = await w.extraGateway({ production: true });
    const users = { query: async (sql: string) => Promise.all(w.system.stores.users.map(({ db }) => db.query(sql))) };
    const seen = w.logs.length;
    await users.query(`ALTER TABLE device RENAME TO device_hidden`);
    try {
      const references: string[] = [];
      for (const url of [gateway.url, w.system.gatewayUrl]) {
        const response = await w.send(url, {
          headers: { "content-type": "application/json", authorization: `Bearer ${w.a.admin}` },
          body: JSON.stringify({ query: `query($u: ID!) { personalData(user: $u) { devices { totalCount } } }`, variables: { u: w.a.userId } }),
        });
        expect(malformation(response)).toBeNull();
        const error = JSON.parse(response.text).errors[0];
        expect(error.extensions.code).toBe("INTERNAL_SERVER_ERROR");
        expect(error.extensions.reference).toMatch(/^[0-9a-f-]{36}$/);
        references.push(error.extensions.reference);
        expect(response.text).not.toMatch(/device|SELECT|sqlite|relation|stack|\.ts:/i);
        tally.add("production");
      }
      // The details went to the server log, under the reference the client got: the store's
      // error by its class and code (undefined table), never its message (it may quote values).
      const logged = w.logs.slice(seen);
      for (const reference of references) {
        const lines = logged.filter((line) => line.includes(reference)).map((line) => JSON.parse(line) as { err?: { type?: string; code?: string } });
        expect(lines.some((line) => line.err?.type === "QueryFailedError" && ["SQLITE_ERROR", "42P01"].includes(String(line.err.code)))).toBe(true);
      }
    } finally {
      await users.query(`ALTER TABLE device_hidden RENAME TO device`);
    }
  });
}
