import { randomUUID } from "node:crypto";
import type { AuditClient } from "@dgg/common";
import type { MovableBlobStore } from "../blob/blob-store";
import { blobDigest, copyTenantBlobs, deleteTenantBlobs } from "./blob-move";
import type { ResidencyClient, StoreDigest, TenantMoveRecord } from "./residency-client";

/** Named points where tests make the process die, to prove a move resumes (DGG_FAULT_POINT). */
export type MoveFaultPoint = "residency:after-copy" | "residency:after-switch" | "residency:after-purge";

export interface ResidencyMoverOptions {
  client: ResidencyClient;
  blobs: MovableBlobStore;
  audit: AuditClient;
  /** This replica's name; a move is driven by one claimant at a time. */
  owner?: string;
  intervalMs?: number;
  leaseMs?: number;
  /** Where to die (tests only): the process exits there, as a crash would. */
  faultPoint?: string;
  onFault?: (point: MoveFaultPoint) => void;
  /** Called (idempotently) once the directory points at the new region: governance re-points its privacy requests' archives. */
  onSwitched?: (tenantId: string, from: string, to: string) => Promise<void>;
}

const BLOBS = "blobs";

/**
 * Drives tenant moves to a newly elected region (docs/decisions/0040), one phase per step,
 * each recorded in storage-regions before the next begins:
 *   REQUESTED → copy every store and the archives to the new region, verify digests → COPIED
 *   COPIED    → switch the directory to the new region (the tenant is ACTIVE again) → SWITCHED
 *   SWITCHED  → delete the source rows and archives if unchanged, audit the move → COMPLETED
 * Every step is idempotent, so a crash anywhere resumes from the recorded phase.
 */
export class ResidencyMover {
  private timer: NodeJS.Timeout | null = null;
  /** Set at a fault point in tests: a crashed replica does nothing more, as a dead process would. */
  private crashed = false;
  private running: Promise<void> | null = null;
  private readonly owner: string;

  constructor(private readonly options: ResidencyMoverOptions) {
    this.owner = options.owner ?? `governance:${randomUUID().slice(0, 8)}`;
  }

  start(): void {
    this.timer ??= setInterval(() => {
      this.running ??= this.tick()
        .catch((error: unknown) => console.error(`[governance] residency mover: ${String(error)}`))
        .finally(() => {
          this.running = null;
        });
    }, this.options.intervalMs ?? 1000);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One pass over the open moves; returns when each has advanced as far as it can now. */
  async tick(): Promise<void> {
    if (this.crashed) return;
    for (const open of await this.options.client.openMoves()) {
      if (this.crashed) return;
      if (Date.parse(open.freezeUntil) > Date.now()) continue;
      const move = await this.options.client.claim(open.id, this.owner, this.options.leaseMs ?? 60_000);
      if (!move) continue;
      try {
        await this.drive(move);
      } catch (error) {
        if (this.crashed) return;
        await this.options.client.recordError(move.id, this.owner, error instanceof Error ? error.message : String(error)).catch(() => undefined);
      }
    }
  }

  private fault(point: MoveFaultPoint): void {
    if (this.options.faultPoint !== point) return;
    this.crashed = true;
    (this.options.onFault ?? (() => process.exit(86)))(point);
  }

  private async drive(move: TenantMoveRecord): Promise<void> {
    let progress = move.progress;
    if (move.phase === "REQUESTED") {
      progress = await this.copyAndVerify(move);
      await this.options.client.recordPhase(move.id, this.owner, "COPIED", progress);
      this.fault("residency:after-copy");
      move = { ...move, phase: "COPIED", progress };
    }
    if (move.phase === "COPIED") {
      await this.options.client.switchDirectory(move.id, this.owner);
      await this.options.onSwitched?.(move.tenantId, move.fromRegion, move.toRegion);
      this.fault("residency:after-switch");
      move = { ...move, phase: "SWITCHED" };
    }
    if (move.phase === "SWITCHED") {
      // Again after a crash between the switch and its record: the hook is idempotent.
      await this.options.onSwitched?.(move.tenantId, move.fromRegion, move.toRegion);
      await this.purgeSource(move, progress ?? {});
      this.fault("residency:after-purge");
      await this.options.audit.record(await this.options.client.token(), [
        {
          tenantId: move.tenantId,
          action: "STORAGE_REGION_MOVED",
          details: { moveId: move.id, from: move.fromRegion, to: move.toRegion, rows: progress, requestedAt: move.requestedAt },
        },
      ]);
      await this.options.client.recordPhase(move.id, this.owner, "COMPLETED", progress);
    }
  }

  private async copyAndVerify(move: TenantMoveRecord): Promise<Record<string, StoreDigest>> {
    const { client, blobs } = this.options;
    const body = { from: move.fromRegion, to: move.toRegion };
    const progress: Record<string, StoreDigest> = {};
    for (const subgraph of client.subgraphs) {
      const copied = await client.subgraphStep<StoreDigest>(subgraph, move.tenantId, "copy", body);
      const { source, target } = await client.subgraphStep<{ source: StoreDigest; target: StoreDigest }>(subgraph, move.tenantId, "verify", body);
      if (source.checksum !== copied.checksum || target.checksum !== copied.checksum || target.rows !== copied.rows) {
        throw new Error(`${subgraph.name}: copy of tenant ${move.tenantId} does not verify (source ${source.rows}/${source.checksum}, target ${target.rows}/${target.checksum})`);
      }
      progress[subgraph.name] = copied;
    }
    await copyTenantBlobs(blobs, move.fromRegion, move.toRegion, move.tenantId);
    const [source, target] = await Promise.all([blobDigest(blobs, move.fromRegion, move.tenantId), blobDigest(blobs, move.toRegion, move.tenantId)]);
    if (source.checksum !== target.checksum) throw new Error(`archives of tenant ${move.tenantId} do not verify after the copy`);
    progress[BLOBS] = source;
    return progress;
  }

  private async purgeSource(move: TenantMoveRecord, progress: Record<string, StoreDigest>): Promise<void> {
    const { client, blobs } = this.options;
    for (const subgraph of client.subgraphs) {
      const verified = progress[subgraph.name];
      if (!verified) throw new Error(`move ${move.id} has no verified digest for ${subgraph.name}; refusing to delete its source`);
      await client.subgraphStep(subgraph, move.tenantId, "purge-source", { from: move.fromRegion, checksum: verified.checksum });
    }
    const archives = await blobDigest(blobs, move.fromRegion, move.tenantId);
    if (archives.rows > 0 && archives.checksum !== progress[BLOBS]?.checksum) {
      throw new Error(`archives of tenant ${move.tenantId} changed in ${move.fromRegion} after the verified copy; not deleting them`);
    }
    await deleteTenantBlobs(blobs, move.fromRegion, move.tenantId);
  }
}
