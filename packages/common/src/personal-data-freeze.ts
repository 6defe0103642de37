import { randomUUID } from "node:crypto";
import { Entity, In } from "typeorm";
import type { DataSource, EntityManager, MigrationInterface, QueryRunner } from "typeorm";
import { TimeColumn } from "./db";
import { IdColumn, PrimaryIdColumn, TenantIdColumn } from "./entity-columns";
import { sealedEntity } from "./subject-keys";
import { ConflictError } from "./errors";

/**
 * GDPR Art. 18 (restriction of processing): while a privacy request freezes a user, a data
 * subgraph takes no new personal data about them. Reads stay allowed. One row per
 * (user, request), so each request lifts only its own freeze.
 */
@Entity({ name: "personal_data_freeze" })
export class PersonalDataFreeze {
  @PrimaryIdColumn()
  id!: string;

  /** Kept on the row so that a tenant's residency move takes its freezes along. */
  @TenantIdColumn()
  tenantId!: string;

  @IdColumn("user_id")
  userId!: string;

  @IdColumn("request_id")
  requestId!: string;

  @TimeColumn({ name: "frozen_at" })
  frozenAt!: Date;
}

// The user's id is stored under an alias like everywhere else in a data store (docs/decisions/0051).
sealedEntity(PersonalDataFreeze, { subject: "userId", tenant: "tenantId", aliases: { userId: "userId" } });

/**
 * Creates `personal_data_freeze`. The SQL is written out here (not derived from the entity)
 * so that the migration keeps doing exactly this whatever the entity later becomes; the
 * users and telemetry subgraphs list it after their own migrations.
 */
export class CreatePersonalDataFreeze1737000000000 implements MigrationInterface {
  name = "CreatePersonalDataFreeze1737000000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "personal_data_freeze" (
         "id" varchar(36) NOT NULL PRIMARY KEY,
         "tenant_id" varchar(36) NOT NULL,
         "user_id" varchar(36) NOT NULL,
         "request_id" varchar(36) NOT NULL,
         "frozen_at" bigint NOT NULL
       )`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_personal_data_freeze_user_request" ON "personal_data_freeze" ("user_id", "request_id")`);
    await queryRunner.query(`CREATE INDEX "ix_personal_data_freeze_user" ON "personal_data_freeze" ("user_id")`);
    // Residency moves select and delete a tenant's rows.
    await queryRunner.query(`CREATE INDEX "ix_personal_data_freeze_tenant" ON "personal_data_freeze" ("tenant_id")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "personal_data_freeze"`);
  }
}

/**
 * Class key of the advisory locks that order freezes against writes (PostgreSQL): the
 * object key is `hashtext(user_id)`. A hash collision only makes two users share a lock.
 */
export const FREEZE_LOCK_CLASS = 0x46525a45;

/**
 * The name a user's freeze lock is hashed from. Not the bare id: the store's runners would
 * put the id's alias in its place once it has one, and a lock taken before and after that
 * would be two locks (docs/decisions/0051).
 */
const lockName = (userId: string) => `freeze:${userId}`;

/** Ids per IN list: below SQLite's bound-parameter limit. */
const CHUNK = 500;

const isPostgres = (manager: EntityManager) => manager.connection.options.type === "postgres";

/**
 * Records that `requestId` freezes the user; idempotent (a second call for the same request
 * changes nothing). On PostgreSQL the exclusive advisory lock on the user waits for every
 * write transaction that already took its shared lock, so when this resolves no write that
 * could have missed the freeze is still open, and every later write sees the row. SQLite
 * needs no lock: a store has one writer, so the freeze's transaction and a write's
 * transaction never overlap (that rests on `db.transaction` serialising a store's
 * transactions rather than nesting them on one connection; see db.ts and STACK.md).
 */
export async function placeFreeze(db: DataSource, freeze: { userId: string; tenantId: string; requestId: string; at: Date }): Promise<void> {
  await db.transaction(async (manager) => {
    if (isPostgres(manager)) await manager.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [FREEZE_LOCK_CLASS, lockName(freeze.userId)]);
    const repo = manager.getRepository(PersonalDataFreeze);
    if (await repo.existsBy({ userId: freeze.userId, requestId: freeze.requestId })) return;
    await repo.insert({ id: randomUUID(), tenantId: freeze.tenantId, userId: freeze.userId, requestId: freeze.requestId, frozenAt: freeze.at });
  });
}

/**
 * Removes the freeze `requestId` placed on the user (other requests' freezes stay); idempotent.
 * Found by the request alone (a request freezes one user): after an erasure the user's id has
 * no alias left to find the row by (docs/decisions/0051).
 */
export async function liftFreeze(db: DataSource, freeze: { userId: string; requestId: string }): Promise<void> {
  await db.getRepository(PersonalDataFreeze).delete({ requestId: freeze.requestId });
}

/**
 * Which of `userIds` are frozen, each with the request that froze it (the earliest). Call it
 * INSIDE the transaction that then writes their data: on PostgreSQL it first takes the shared
 * advisory lock of each distinct user, in sorted order so that two writers never wait on each
 * other in a cycle, and holds them to the commit, so a concurrent `placeFreeze` waits for this
 * write (or this read sees its row).
 */
export async function frozenAmong(manager: EntityManager, userIds: readonly string[]): Promise<Map<string, string>> {
  const distinct = [...new Set(userIds)].sort();
  const frozen = new Map<string, string>();
  if (distinct.length === 0) return frozen;
  if (isPostgres(manager)) {
    // unnest yields the array in order, so the locks are taken in sorted order.
    await manager.query("SELECT pg_advisory_xact_lock_shared($1, hashtext(u)) FROM unnest($2::text[]) AS t(u)", [FREEZE_LOCK_CLASS, distinct.map(lockName)]);
  }
  return readFreezes(manager, distinct, null);
}

/**
 * Which of `userIds` are frozen in `tenantId`, read WITHOUT the lock and outside any
 * transaction: enough to refuse a write (a committed freeze stays until its request ends),
 * never enough to accept one (a write still checks `frozenAmong` inside its transaction).
 * Lets a writer turn a frozen subject's data away at the cost of one indexed read, however
 * busy their device is. Scoped to the tenant, so it says nothing about another tenant's users.
 */
export function frozenInTenant(db: DataSource, tenantId: string, userIds: readonly string[]): Promise<Map<string, string>> {
  return readFreezes(db.manager, [...new Set(userIds)].sort(), tenantId);
}

async function readFreezes(manager: EntityManager, distinct: readonly string[], tenantId: string | null): Promise<Map<string, string>> {
  const frozen = new Map<string, string>();
  for (let start = 0; start < distinct.length; start += CHUNK) {
    const chunk = { userId: In(distinct.slice(start, start + CHUNK)) };
    const rows = await manager.getRepository(PersonalDataFreeze).find({
      select: { userId: true, requestId: true, frozenAt: true },
      where: tenantId === null ? chunk : { ...chunk, tenantId },
      order: { frozenAt: "ASC", requestId: "ASC" },
    });
    for (const row of rows) if (!frozen.has(row.userId)) frozen.set(row.userId, row.requestId);
  }
  return frozen;
}

/** The refusal of a write that would add personal data about a frozen user. */
export function frozenError(userId: string, requestId: string): ConflictError {
  return new ConflictError(
    `user ${userId} is frozen by privacy request ${requestId} (restriction of processing): no new personal data is accepted until the request ends`,
  );
}

/** As `frozenAmong`, but refuses (CONFLICT naming the user and request) if any of `userIds` is frozen. */
export async function refuseFrozen(manager: EntityManager, userIds: readonly string[]): Promise<void> {
  const frozen = await frozenAmong(manager, userIds);
  const [first] = frozen;
  if (first) throw frozenError(first[0], first[1]);
}
