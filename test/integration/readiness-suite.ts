/**
 * Readiness: `/ready` on every service answers 200 only while its stores answer and are
 * migrated (the gateway: while every subgraph is ready), and 503 naming what is wrong
 * otherwise. `/health` (liveness) stays 200 throughout, so an orchestrator stops sending
 * traffic without restarting the process. The suite breaks a store for real: on PostgreSQL
 * the database refuses connections and its sessions are killed; on SQLite the store is
 * closed. It also rolls a migration back in the record, which must count as not ready.
 */
import { Client } from "pg";
import { Region } from "@dgg/common";
import { PG_BASE_URL } from "../support/postgres";
import { startTestSystem } from "../support/system";
import type { StoreKind, TestSystem } from "../support/system";

async function probe(url: string): Promise<{ status: number; body: { status: string; problems: string[] } }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as { status: string; problems: string[] } };
}

export function describeReadinessSuite(kind: StoreKind): void {
  describe(`readiness (${kind})`, () => {
    let system: TestSystem;
    const gatewayReady = () => probe(system.gatewayUrl.replace(/\/graphql$/, "/ready"));
    const ready = (name: keyof TestSystem["urls"]) => probe(`${system.urls[name]}/ready`);
    const live = (name: keyof TestSystem["urls"]) => probe(`${system.urls[name]}/health`);

    beforeAll(async () => {
      system = await startTestSystem(kind);
    });

    afterAll(async () => {
      await system?.stop();
    });

    it("is ready when every store answers and is migrated", async () => {
      for (const name of Object.keys(system.urls) as (keyof TestSystem["urls"])[]) {
        expect([name, await ready(name)]).toEqual([name, { status: 200, body: { service: name, status: "ready", problems: [] } }]);
      }
      expect(await gatewayReady()).toEqual({ status: 200, body: { service: "gateway", status: "ready", problems: [] } });
    });

    it("answers 503 naming the store while one region's store is unreachable, and recovers with it", async () => {
      const store = system.stores.users.find((entry) => entry.region === Region.EUROPE)!.db;
      let restore: () => Promise<void>;
      if (kind === "postgres") {
        const database = (store.options as { url: string }).url.split("/").pop()!;
        const admin = new Client({ connectionString: `${PG_BASE_URL}/postgres` });
        await admin.connect();
        await admin.query(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS false`);
        await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [database]);
        restore = async () => {
          await admin.query(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS true`);
          await admin.end();
        };
      } else {
        await store.destroy();
        restore = async () => {
          await store.initialize();
        };
      }
      try {
        const users = await ready("users");
        expect(users.status).toBe(503);
        expect(users.body.status).toBe("unavailable");
        expect(users.body.problems).toHaveLength(1);
        expect(users.body.problems[0]).toMatch(/^EUROPE: /);
        expect((await live("users")).status).toBe(200);
        // Another subgraph is unaffected; the gateway is not ready while one subgraph is not.
        expect((await ready("telemetry")).status).toBe(200);
        const gateway = await gatewayReady();
        expect(gateway.status).toBe(503);
        expect(gateway.body.problems).toEqual(["users: answered 503"]);
      } finally {
        await restore();
      }
      // The pool reconnects (PostgreSQL) or the store is open again (SQLite).
      let after = await ready("users");
      for (let tries = 0; tries < 20 && after.status !== 200; tries += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        after = await ready("users");
      }
      expect(after.status).toBe(200);
      expect((await gatewayReady()).status).toBe(200);
    });

    it("is not ready while a migration is pending", async () => {
      const db = system.stores.governance[0]!.db;
      const [last] = (await db.query(`SELECT id, timestamp, name FROM migrations ORDER BY timestamp DESC LIMIT 1`)) as { id: number; timestamp: string; name: string }[];
      const p = kind === "postgres" ? ["$1", "$2", "$3"] : ["?", "?", "?"];
      await db.query(`DELETE FROM migrations WHERE id = ${p[0]}`, [last!.id]);
      try {
        const governance = await ready("governance");
        expect(governance).toEqual({ status: 503, body: { service: "governance", status: "unavailable", problems: ["governance: migrations pending"] } });
      } finally {
        await db.query(`INSERT INTO migrations (id, timestamp, name) VALUES (${p.join(", ")})`, [last!.id, last!.timestamp, last!.name]);
      }
      expect((await ready("governance")).status).toBe(200);
    });
  });
}
