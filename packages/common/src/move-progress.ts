/**
 * The progress of a tenant's residency move, as the governance service's mover writes it and
 * the storage-regions directory keeps it (tenant_move.progress, JSON) and hands it back: one
 * definition for both ends of that exchange (docs/decisions/0040).
 */

/**
 * One store's copy (a data subgraph, or "blobs" for the archives), checkpointed after every
 * chunk: where the copy or the verification stands (table index and the last id done), the
 * rows copied and verified out of the source's total, and the rolling digests so far.
 */
export interface StoreProgress {
  stage: "COPYING" | "VERIFYING" | "VERIFIED";
  total: number;
  copied: number;
  verified: number;
  /** How many tables the store has (1 for the archives); the cursor is a table index and the last id (or key) done. */
  tables: number;
  table: number;
  after: string | null;
  /** Rolling SHA-256 over the page digests of the source and of the target, verified so far. */
  sourceChain: string;
  targetChain: string;
  /** Once VERIFIED: the rows and the digest both sides agreed on. */
  rows: number;
  checksum: string;
}

/** Progress of every store of a move, by store name. */
export interface MoveProgress {
  [store: string]: StoreProgress;
}
