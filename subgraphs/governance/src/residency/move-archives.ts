import type { Region } from "@dgg/common";
import type { MovableBlobStore } from "../blob/blob-store";
import { chain, freshProgress } from "./move-progress";
import type { StoreProgress, TenantMoveRecord } from "./residency-client";

/** The progress entry of the archives in a move record, beside the data subgraphs'. */
export const BLOBS = "blobs";
/** An interrupted incoming copy in the target (blob-store.ts): never copied, always deleted. */
const INCOMING = ".incoming";
/** How many times emptying a region (rows or archives) looks again and deletes again before it reports the region as still written to. */
export const PURGE_ROUNDS = 5;

/** What a step of the mover hands the archive part: its checkpoint and its claim. */
export interface MoveStep {
  /** Records the move's progress (fenced on the claim). */
  save(): Promise<void>;
  lease: { check(): void };
}

/**
 * The archive files' part of a tenant move (ResidencyMover drives it): copied one file per
 * checkpoint, verified by digest, and emptied from the region left behind without losing
 * a finished archive only that region has.
 */
export class MoveArchives {
  constructor(private readonly blobs: MovableBlobStore) {}

  /** The tenant's archives, finished or not (an export half-written moves with the rest), one file per checkpoint. */
  async copyAndVerify(move: TenantMoveRecord, progress: Record<string, StoreProgress>, step: MoveStep): Promise<void> {
    const { blobs } = this;
    const keysIn = async (region: Region) => (await blobs.list(region, move.tenantId, { unfinished: true })).filter((key) => !key.endsWith(INCOMING));
    let entry = progress[BLOBS];
    if (!entry) {
      await this.deleteAll(move.toRegion, move.tenantId);
      entry = freshProgress((await keysIn(move.fromRegion)).length, 1);
      progress[BLOBS] = entry;
      await step.save();
    }
    if (entry.stage === "COPYING") {
      for (const key of await keysIn(move.fromRegion)) {
        if (entry.after !== null && key <= entry.after) continue;
        await blobs.copyBetweenRegions(move.fromRegion, move.toRegion, key);
        entry.copied += 1;
        entry.after = key;
        await step.save();
      }
      Object.assign(entry, { stage: "VERIFYING", table: 0, after: null });
      await step.save();
    }
    if (entry.stage === "VERIFYING") {
      const [source, target] = await Promise.all([keysIn(move.fromRegion), keysIn(move.toRegion)]);
      const mismatch = async (): Promise<string | null> => {
        if (JSON.stringify(source) !== JSON.stringify(target)) return `the archive files differ (${source.length} in ${move.fromRegion}, ${target.length} in ${move.toRegion})`;
        for (const key of source) {
          if (entry.after !== null && key <= entry.after) continue;
          const [a, b] = await Promise.all([blobs.sha256Of(move.fromRegion, key), blobs.sha256Of(move.toRegion, key)]);
          if (a !== b) return `${key} differs`;
          entry.sourceChain = chain(entry.sourceChain, `${key}:${a}`);
          entry.targetChain = chain(entry.targetChain, `${key}:${b}`);
          entry.verified += 1;
          entry.after = key;
          await step.save();
        }
        return null;
      };
      const problem = await mismatch();
      if (problem) {
        delete progress[BLOBS];
        await step.save();
        throw new Error(`archives of tenant ${move.tenantId} do not verify after the copy: ${problem}; copying them again`);
      }
      Object.assign(entry, { stage: "VERIFIED", after: null, rows: entry.verified, checksum: entry.sourceChain });
      await step.save();
    }
  }

  /** Deletes every archive file of the tenant in `region`, finished or not; returns how many. */
  async deleteAll(region: Region, tenantId: string): Promise<number> {
    const keys = await this.blobs.list(region, tenantId, { unfinished: true });
    for (const key of keys) await this.blobs.delete(region, key);
    return keys.length;
  }

  /**
   * Deletes the tenant's archive files in the region it leaves (or, on cancel, the copy it
   * abandons). A finished file only that region has (an export that finished there while
   * the requests still pointed at it) is carried over to the region kept first, so no
   * archive a request counts on is lost; unfinished ones were verified with the copy.
   */
  async empty(tenantId: string, abandoned: Region, kept: Region, lease: { check(): void }): Promise<void> {
    const { blobs } = this;
    for (let round = 0; round < PURGE_ROUNDS; round += 1) {
      await this.carryOverFinished(tenantId, abandoned, kept, lease);
      const keys = await blobs.list(abandoned, tenantId, { unfinished: true });
      if (keys.length === 0) return;
      for (const key of keys) {
        lease.check();
        await blobs.delete(abandoned, key);
      }
    }
    throw new Error(`archives of tenant ${tenantId} keep arriving in ${abandoned} while it is emptied; will retry`);
  }

  /** Copies the tenant's finished archive files that only `from` has to `to`. */
  async carryOverFinished(tenantId: string, from: Region, to: Region, lease: { check(): void }): Promise<void> {
    for (const key of await this.blobs.list(from, tenantId)) {
      lease.check();
      if (!(await this.blobs.exists(to, key))) await this.blobs.copyBetweenRegions(from, to, key);
    }
  }
}
