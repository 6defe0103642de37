import { randomUUID } from "node:crypto";
import type { AuditClient, Region, ServiceLogger } from "@dgg/common";
import { contextOfTraceparent, isErrorCode, MAX_CHUNK_ROWS, ServiceError, withSpan } from "@dgg/common";
import type { MovableBlobStore } from "../blob/blob-store";
import type { DataSubgraph } from "../contract/data-subgraphs";
import { MoveArchives, PURGE_ROUNDS } from "./move-archives";
import { advance, chain, freshProgress } from "./move-progress";
import type { Chunk, ResidencyClient, StoreProgress, TenantMoveRecord } from "./residency-client";

/** Named points where tests make the process die, to prove a move resumes (DGG_FAULT_POINT). */
export type MoveFaultPoint = "residency:mid-copy" | "residency:after-copy" | "residency:after-switch" | "residency:after-purge";

export interface ResidencyMoverOptions {
  client: ResidencyClient;
  blobs: MovableBlobStore;
  audit: AuditClient;
  log: ServiceLogger;
  /** This replica's name; a move is driven by one claimant at a time. */
  owner?: string;
  intervalMs?: number;
  /** The claim's lifetime; renewed every third of it while this replica works (default 60 s). */
  leaseMs?: number;
  /** Per-call time limit of the chunk calls (env RESIDENCY_CALL_TIMEOUT_MS, default 30 s); read by server.ts for the client. */
  callTimeoutMs?: number;
  /** Rows per chunk (env RESIDENCY_COPY_CHUNK_ROWS, default 2000): bounds every call's duration. */
  chunkRows?: number;
  /** Where to die (tests only): the process exits there, as a crash would. */
  faultPoint?: string;
  onFault?: (point: MoveFaultPoint) => void;
  /**
   * Points the tenant's privacy requests (and their archives) at a region, idempotently:
   * at the new one once the copy is verified, before the switch, so no worker writes an
   * archive file in the old region after it; back at the old one on cancel.
   */
  repoint?: (tenantId: string, from: string, to: string) => Promise<void>;
  /** Tests only: awaited after each checkpointed chunk (to slow a copy down). */
  afterChunk?: (move: TenantMoveRecord, store: string, progress: StoreProgress) => Promise<void>;
  /** Tests only: awaited after the switch, before the source is purged (to land a late write there). */
  beforePurge?: (move: TenantMoveRecord) => Promise<void>;
}

/** The error a replica gets when it no longer holds the move, or the move was cancelled under it: stop, do not record. */
class MoveLostError extends Error {}

/**
 * Drives tenant moves to a newly elected region (docs/decisions/0040 and 0043), in bounded
 * chunks checkpointed in the storage-regions move record, so a move of any size survives
 * crashes and no call approaches a time limit:
 *   REQUESTED  → per store: copy keyset pages of `chunkRows` rows (archives one file at a
 *                time, streamed), then verify page by page (digests on both sides) → COPIED
 *   COPIED     → switch the directory to the new region (the tenant is ACTIVE again) → SWITCHED
 *   SWITCHED   → delete the tenant's rows and archives in the old region, whatever arrived
 *                there since the verification, until a count finds none; audit → COMPLETED
 *   CANCELLING → delete the copy in the new region, put the tenant back → ROLLED_BACK → audit → CANCELLED
 * The claim is renewed every third of the lease; every record is fenced on the claim and the
 * phase, so a replica that lost the move, or whose move was cancelled, stops at its next chunk.
 */
export class ResidencyMover {
  private timer: NodeJS.Timeout | null = null;
  /** Set at a fault point in tests: a crashed replica does nothing more, as a dead process would. */
  private crashed = false;
  private running: Promise<void> | null = null;
  private readonly owner: string;
  private readonly leaseMs: number;
  private readonly chunkRows: number;
  private readonly archives: MoveArchives;

  constructor(private readonly options: ResidencyMoverOptions) {
    this.owner = options.owner ?? `governance:${randomUUID().slice(0, 8)}`;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.chunkRows = options.chunkRows ?? 2000;
    this.archives = new MoveArchives(options.blobs);
    // A data subgraph refuses larger chunks (MAX_CHUNK_ROWS): fail at start, not in the middle of a move.
    if (!Number.isInteger(this.chunkRows) || this.chunkRows < 1 || this.chunkRows > MAX_CHUNK_ROWS) {
      throw new Error(`RESIDENCY_COPY_CHUNK_ROWS must be an integer from 1 to ${MAX_CHUNK_ROWS}, got ${String(options.chunkRows)}`);
    }
    if (!Number.isFinite(this.leaseMs) || this.leaseMs < 60) throw new Error(`RESIDENCY_MOVE_LEASE_MS must be at least 60, got ${String(options.leaseMs)}`);
  }

  start(): void {
    this.timer ??= setInterval(() => {
      this.running ??= this.tick()
        .catch((error: unknown) => this.options.log.error({ err: error }, "residency mover failed"))
        .finally(() => {
          this.running = null;
        });
    }, this.options.intervalMs ?? 1000);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    // Stop at the next chunk rather than finishing the move: the next replica resumes from the checkpoint.
    this.crashed = true;
    await this.running;
  }

  /** One pass over the open moves; returns when each has advanced as far as it can now. */
  async tick(): Promise<void> {
    if (this.crashed) return;
    for (const open of await this.options.client.openMoves()) {
      if (this.crashed) return;
      if (open.phase === "REQUESTED" && Date.parse(open.freezeUntil) > Date.now()) continue;
      const move = await this.options.client.claim(open.id, this.owner, this.leaseMs);
      if (!move) continue;
      const lease = this.heartbeat(move.id);
      try {
        // The move continues the trace of the request that asked for it (docs/decisions/0048).
        const attributes = { "dgg.move.id": move.id, "dgg.move.phase": move.phase, "dgg.move.from": move.fromRegion, "dgg.move.to": move.toRegion };
        await withSpan("residency move", { parent: contextOfTraceparent(move.traceParent), attributes }, () => this.drive(move, lease));
      } catch (error) {
        if (this.crashed) return;
        // A cancelled move or a lost claim is not an error of the move: its new state is picked up next tick.
        if (error instanceof MoveLostError || (error instanceof ServiceError && isErrorCode(error.code) && error.code === "CONFLICT")) {
          this.options.log.warn({ err: error, moveId: move.id }, "residency mover stopped driving a move (lost or cancelled)");
          continue;
        }
        await this.options.client.recordError(move.id, this.owner, error instanceof Error ? error.message : String(error)).catch(() => undefined);
      } finally {
        lease.stop();
      }
    }
  }

  /** Renews the claim every third of the lease; `check` throws once it was lost, so no further write is made. */
  private heartbeat(id: string): { check(): void; stop(): void } {
    let lost = false;
    const timer = setInterval(() => {
      this.options.client.renew(id, this.owner, this.leaseMs).then(
        (held) => {
          lost ||= !held;
        },
        // An unreachable directory is not a lost claim: the fenced records decide.
        () => undefined,
      );
    }, Math.max(20, Math.floor(this.leaseMs / 3)));
    return {
      check: () => {
        if (this.crashed) throw new MoveLostError(`replica ${this.owner} stopped`);
        if (lost) throw new MoveLostError(`replica ${this.owner} lost its claim on move ${id}`);
      },
      stop: () => clearInterval(timer),
    };
  }

  private fault(point: MoveFaultPoint): void {
    if (this.options.faultPoint !== point || this.crashed) return;
    this.crashed = true;
    (this.options.onFault ?? (() => process.exit(86)))(point);
  }

  private async drive(move: TenantMoveRecord, lease: { check(): void }): Promise<void> {
    const { client } = this.options;
    const progress = move.progress ?? {};
    if (move.phase === "CANCELLING") {
      await this.options.repoint?.(move.tenantId, move.toRegion, move.fromRegion);
      await this.deleteTenant(move, move.toRegion, move.fromRegion, lease);
      lease.check();
      await client.rollBack(move.id, this.owner);
      move = { ...move, phase: "ROLLED_BACK" };
    }
    if (move.phase === "ROLLED_BACK") {
      // The tenant is ACTIVE in its old region again, so the entry can be written there.
      await this.options.audit.record(await client.token(), [
        {
          tenantId: move.tenantId,
          action: "STORAGE_REGION_MOVE_CANCELLED",
          details: { moveId: move.id, from: move.fromRegion, to: move.toRegion, cancelledBy: move.cancelledBy, requestedAt: move.requestedAt },
        },
      ]);
      await client.recordPhase(move.id, this.owner, "CANCELLED");
      return;
    }
    if (move.phase === "REQUESTED") {
      await this.copyAndVerify(move, progress, lease);
      lease.check();
      await client.recordPhase(move.id, this.owner, "COPIED", progress);
      this.fault("residency:after-copy");
      move = { ...move, phase: "COPIED", progress };
    }
    if (move.phase === "COPIED") {
      await this.options.repoint?.(move.tenantId, move.fromRegion, move.toRegion);
      // An export file finished in the old region after the archives were verified (a worker needs no data subgraph to commit one) follows now, before its request resumes in the new region.
      await this.archives.carryOverFinished(move.tenantId, move.fromRegion, move.toRegion, lease);
      lease.check();
      await client.switchDirectory(move.id, this.owner);
      this.fault("residency:after-switch");
      move = { ...move, phase: "SWITCHED" };
    }
    if (move.phase === "SWITCHED") {
      await this.options.beforePurge?.(move);
      await this.purgeSource(move, lease);
      this.fault("residency:after-purge");
      const rows = Object.fromEntries(Object.entries(progress).map(([store, entry]) => [store, { rows: entry.rows, checksum: entry.checksum }]));
      await this.options.audit.record(await client.token(), [
        {
          tenantId: move.tenantId,
          action: "STORAGE_REGION_MOVED",
          details: { moveId: move.id, from: move.fromRegion, to: move.toRegion, rows, requestedAt: move.requestedAt },
        },
      ]);
      lease.check();
      await client.recordPhase(move.id, this.owner, "COMPLETED", progress);
    }
  }

  private async save(move: TenantMoveRecord, progress: Record<string, StoreProgress>, lease: { check(): void }): Promise<void> {
    lease.check();
    await this.options.client.saveProgress(move.id, this.owner, "REQUESTED", progress);
  }

  private async copyAndVerify(move: TenantMoveRecord, progress: Record<string, StoreProgress>, lease: { check(): void }): Promise<void> {
    for (const subgraph of this.options.client.subgraphs) await this.copyStore(move, subgraph, progress, lease);
    await this.archives.copyAndVerify(move, progress, { save: () => this.save(move, progress, lease), lease });
  }

  private async copyStore(move: TenantMoveRecord, subgraph: DataSubgraph, progress: Record<string, StoreProgress>, lease: { check(): void }): Promise<void> {
    const { client } = this.options;
    const step = <T>(name: Parameters<ResidencyClient["subgraphStep"]>[2], body: unknown) => client.subgraphStep<T>(subgraph, move.tenantId, name, body);
    const pair = { from: move.fromRegion, to: move.toRegion };
    let entry = progress[subgraph.name];
    if (!entry) {
      // A fresh start for this store: whatever an earlier, abandoned attempt left in the target goes first.
      await this.deleteRows(move, subgraph, move.toRegion, lease);
      await step("prepare", pair);
      const counted = await step<{ tables: number[]; total: number }>("count", { region: move.fromRegion });
      entry = freshProgress(counted.total, counted.tables.length);
      progress[subgraph.name] = entry;
      await this.save(move, progress, lease);
    }
    while (entry.stage === "COPYING") {
      const chunk = await step<Chunk>("copy-chunk", { ...pair, table: entry.table, after: entry.after, limit: this.chunkRows });
      entry.copied += chunk.rows;
      if (advance(entry, chunk.next)) Object.assign(entry, { stage: "VERIFYING", table: 0, after: null });
      await this.save(move, progress, lease);
      if (entry.stage === "COPYING" && subgraph.name === "telemetry") this.fault("residency:mid-copy");
      await this.options.afterChunk?.(move, subgraph.name, entry);
    }
    while (entry.stage === "VERIFYING") {
      const page = { table: entry.table, after: entry.after, limit: this.chunkRows };
      const [source, target] = await Promise.all([
        step<Chunk & { checksum: string }>("digest-chunk", { ...page, region: move.fromRegion }),
        step<Chunk & { checksum: string }>("digest-chunk", { ...page, region: move.toRegion }),
      ]);
      if (source.checksum !== target.checksum || source.rows !== target.rows || source.next !== target.next) {
        // Start this store over: the next attempt clears the target and copies again.
        delete progress[subgraph.name];
        await this.save(move, progress, lease);
        throw new Error(
          `${subgraph.name}: the copy of tenant ${move.tenantId} does not verify at table ${page.table} after ${page.after ?? "the start"} ` +
            `(source ${source.rows} rows ${source.checksum}, target ${target.rows} rows ${target.checksum}); copying it again`,
        );
      }
      entry.sourceChain = chain(entry.sourceChain, source.checksum);
      entry.targetChain = chain(entry.targetChain, target.checksum);
      entry.verified += source.rows;
      if (advance(entry, source.next)) Object.assign(entry, { stage: "VERIFIED", table: 0, after: null, rows: entry.verified, checksum: entry.sourceChain });
      await this.save(move, progress, lease);
      await this.options.afterChunk?.(move, subgraph.name, entry);
    }
  }

  /** Deletes the tenant's rows of one subgraph in one region, chunk by chunk, until a count finds none. */
  private async deleteRows(move: TenantMoveRecord, subgraph: DataSubgraph, region: Region, lease: { check(): void }): Promise<number> {
    const { client } = this.options;
    let deleted = 0;
    for (let round = 0; round < PURGE_ROUNDS; round += 1) {
      for (;;) {
        lease.check();
        const chunk = await client.subgraphStep<{ deleted: number }>(subgraph, move.tenantId, "delete-chunk", { region, limit: this.chunkRows });
        if (chunk.deleted === 0) break;
        deleted += chunk.deleted;
      }
      // A write that landed meanwhile (an every-region job) is caught by the count and deleted in the next round.
      const left = await client.subgraphStep<{ total: number }>(subgraph, move.tenantId, "count", { region });
      if (left.total === 0) return deleted;
    }
    throw new Error(`${subgraph.name}: rows of tenant ${move.tenantId} keep arriving in ${region} while it is emptied; will retry`);
  }

  /** Empties the abandoned region of the tenant: its rows, then its archive files. */
  private async deleteTenant(move: TenantMoveRecord, abandoned: Region, kept: Region, lease: { check(): void }): Promise<void> {
    for (const subgraph of this.options.client.subgraphs) await this.deleteRows(move, subgraph, abandoned, lease);
    await this.archives.empty(move.tenantId, abandoned, kept, lease);
  }

  /**
   * Empties the old region after the switch, whatever it holds now: nobody writes there for
   * the tenant any more except the every-region jobs (audit pseudonymisation, retention),
   * which made the same change to the new region, so the rows are deleted until a count
   * finds none, whatever arrived since the verification.
   */
  private async purgeSource(move: TenantMoveRecord, lease: { check(): void }): Promise<void> {
    await this.deleteTenant(move, move.fromRegion, move.toRegion, lease);
  }
}
