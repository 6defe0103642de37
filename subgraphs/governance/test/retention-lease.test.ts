// Scenario: several governance replicas share one store; only one may run retention at a
// time, each scheduled slot runs once, and a replica that dies frees the lease when it
// expires. On SQLite and PostgreSQL, since the lease must hold on both.
import type { DataSource } from "typeorm";
import { createDataSource, ManualClock, openDataSource } from "@dgg/common";
import type { DatabaseConfig } from "@dgg/common";
import { tempSqlite } from "@dgg/common/testkit";
import { describeOnPostgres, freshPostgresDatabase, testDatabaseName } from "../../../test/support/postgres";
import { governanceEntities, governanceMigrations } from "../src/server";
import { RetentionLease } from "../src/retention/retention-lease";
import { retentionIntervalFromEnv } from "../src/retention/retention-config";
import { scheduledPurgeAt } from "../src/retention/retention-rules";

const TTL = 60_000;
const HOUR = 3_600_000;

function describeLease(kind: "sqlite" | "postgres"): void {
  describe(`retention lease on ${kind}`, () => {
    let dbs: DataSource[];
    let clock: ManualClock;
    let a: RetentionLease;
    let b: RetentionLease;

    beforeEach(async () => {
      const config: DatabaseConfig = kind === "sqlite" ? tempSqlite("governance") : { type: "postgres", url: await freshPostgresDatabase(testDatabaseName("lease")) };
      const first = await openDataSource(createDataSource(config, { entities: governanceEntities, migrations: governanceMigrations }));
      const second = await openDataSource(createDataSource(config, { entities: governanceEntities, migrations: governanceMigrations }));
      dbs = [first, second];
      clock = new ManualClock(new Date("2030-01-01T00:00:00.000Z"));
      a = new RetentionLease(first, clock, "replica-a", TTL);
      b = new RetentionLease(second, clock, "replica-b", TTL);
    });

    afterEach(async () => {
      await Promise.all(dbs.map((db) => db.destroy()));
    });

    it("grants the lease to exactly one of two replicas asking at once", async () => {
      const results = await Promise.all([a.acquire(), b.acquire()]);
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results[0] ? a : b;
      expect((await winner.current())?.holder).toBe(winner.holder);
      await winner.release();
      expect(await a.current()).toBeNull();
      expect(await b.acquire()).toBe(true);
    });

    it("frees itself when its holder stops renewing, not a millisecond before", async () => {
      expect(await a.acquire()).toBe(true);
      clock.advance(TTL - 1);
      expect(await b.acquire()).toBe(false);
      clock.advance(1);
      expect(await b.acquire()).toBe(true);
      // The dead holder learns it lost the lease, and cannot release the new holder's.
      expect(await a.renew()).toBe(false);
      await a.release();
      expect((await b.current())?.holder).toBe("replica-b");
    });

    it("runs each scheduled slot once", async () => {
      const slot = Date.parse("2030-01-01T00:00:00.000Z");
      expect(await a.acquire(slot)).toBe(true);
      await a.release(slot);
      expect(await b.acquire(slot)).toBe(false);
      expect(await b.acquire(slot + HOUR)).toBe(true);
    });
  });
}

describeLease("sqlite");
describeOnPostgres("lease suite", () => describeLease("postgres"));

describe("RETENTION_INTERVAL", () => {
  it("defaults to hourly, accepts ISO-8601 durations and off, refuses the rest naming the value", () => {
    expect(retentionIntervalFromEnv({})).toBe(HOUR);
    expect(retentionIntervalFromEnv({ RETENTION_INTERVAL: "PT15M" })).toBe(15 * 60_000);
    expect(retentionIntervalFromEnv({ RETENTION_INTERVAL: "off" })).toBeNull();
    expect(() => retentionIntervalFromEnv({ RETENTION_INTERVAL: "PT10S" })).toThrow(/"PT10S"/);
    expect(() => retentionIntervalFromEnv({ RETENTION_INTERVAL: "hourly" })).toThrow(/"hourly"/);
  });
});

describe("scheduledPurgeAt", () => {
  const now = new Date("2030-01-01T00:30:00.000Z");
  it("is the first slot strictly after the deadline: data exactly at its limit is kept by that slot's run", () => {
    expect(scheduledPurgeAt(new Date("2030-01-02T05:00:00.000Z"), HOUR, now)?.toISOString()).toBe("2030-01-02T06:00:00.000Z");
    expect(scheduledPurgeAt(new Date("2030-01-02T05:59:59.999Z"), HOUR, now)?.toISOString()).toBe("2030-01-02T06:00:00.000Z");
  });
  it("is the next slot from now when overdue, and null without a date or a schedule", () => {
    expect(scheduledPurgeAt(new Date("2029-12-01T00:00:00.000Z"), HOUR, now)?.toISOString()).toBe("2030-01-01T01:00:00.000Z");
    expect(scheduledPurgeAt(null, HOUR, now)).toBeNull();
    expect(scheduledPurgeAt(new Date("2030-01-02T05:00:00.000Z"), null, now)).toBeNull();
  });
});
