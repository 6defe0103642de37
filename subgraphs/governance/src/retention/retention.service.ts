import { assertMayCall, decodeCursor, encodeCursor, keysetAfter, parseFirst, toConnection, UnavailableError } from "@dgg/common";
import type { ServiceLogger } from "@dgg/common";
import { RetentionRunRecord } from "../entities/retention-run.entity";
import type { GovernanceContext, GovernanceDeps } from "../context";
import type { RetentionLease } from "./retention-lease";
import { executeRetentionRun } from "./retention-run";
import type { RunRequest } from "./retention-run";


/** How often an on-demand run asks again for a lease another replica holds. */
const POLL_MS = 200;

/**
 * Runs `work` while holding the lease, renewing it every third of its lifetime so a long
 * run keeps it and a dead holder loses it. Releases it (recording `slot`) when done.
 */
export async function withLease<T>(lease: RetentionLease, slot: number | undefined, log: ServiceLogger, work: () => Promise<T>): Promise<T> {
  const heartbeat = setInterval(() => {
    lease.renew().catch((error: unknown) => log.error({ err: error }, "could not renew the retention lease"));
  }, Math.max(1000, Math.floor(lease.ttlMs / 3)));
  heartbeat.unref();
  try {
    return await work();
  } finally {
    clearInterval(heartbeat);
    await lease.release(slot);
  }
}

/** Runs retention now for an operator. If another replica is running it, waits for that run to end, then runs. */
export async function runRetention(ctx: GovernanceContext): Promise<RetentionRunRecord> {
  assertMayCall(ctx.viewer, "runRetention", "run retention");
  const { lease, waitMs } = ctx.retention;
  const deadline = Date.now() + waitMs;
  while (!(await lease.acquire())) {
    if (Date.now() >= deadline) {
      const current = await lease.current();
      const by = current ? ` by ${current.holder} (lease until ${current.expiresAt.toISOString()})` : "";
      throw new UnavailableError(`a retention run is in progress${by}; try again when it ends`, Math.ceil(waitMs / 1000));
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  const request: RunRequest = { trigger: "ON_DEMAND", triggeredBy: ctx.viewer.subject, token: ctx.token };
  return withLease(lease, undefined, ctx.log, () => executeRetentionRun(ctx, request));
}

/**
 * One scheduled tick: runs retention if the current slot (the interval that contains now,
 * aligned to the epoch) has not run on any replica. Returns the run, or null when there was
 * nothing to do here (slot done, or another replica has the lease).
 */
export async function runScheduledSlot(deps: GovernanceDeps, intervalMs: number): Promise<RetentionRunRecord | null> {
  const slot = Math.floor(deps.clock.now().getTime() / intervalMs) * intervalMs;
  const { lease } = deps.retention;
  if (!(await lease.acquire(slot))) return null;
  const request: RunRequest = { trigger: "SCHEDULE", triggeredBy: "service:governance", token: await deps.contract.serviceToken() };
  return withLease(lease, slot, deps.log, () => executeRetentionRun(deps, request));
}

/** Past runs, newest first, for operators; keyset on (started_at, id). */
export async function retentionRuns(ctx: GovernanceContext, rawFirst: number | null | undefined, after: string | null | undefined) {
  assertMayCall(ctx.viewer, "retentionRuns", "read retention runs");
  const first = parseFirst(rawFirst, 20);
  const repo = ctx.db.getRepository(RetentionRunRecord);
  const qb = repo.createQueryBuilder("r").orderBy("r.started_at", "DESC").addOrderBy("r.id", "DESC").take(first + 1);
  const cursor = decodeCursor(after, ["number", "string"]);
  if (cursor) {
    const [at, id] = cursor as [number, string];
    qb.where(keysetAfter("r.started_at", "r.id", "DESC"), { at, id });
  }
  const [rows, totalCount] = await Promise.all([qb.getMany(), repo.count()]);
  return toConnection(rows, first, (run) => encodeCursor([run.startedAt.getTime(), run.id]), totalCount);
}
