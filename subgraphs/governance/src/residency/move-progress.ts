import { createHash } from "node:crypto";
import type { StoreProgress } from "./residency-client";

/** A running digest of the pages (or files) verified so far, on one side of a move. */
export function chain(previous: string, page: string): string {
  return createHash("sha256").update(`${previous}\n${page}`).digest("hex");
}

/** A store's progress before its first chunk. */
export function freshProgress(total: number, tables: number): StoreProgress {
  return { stage: "COPYING", total, copied: 0, verified: 0, tables, table: 0, after: null, sourceChain: "", targetChain: "", rows: 0, checksum: "" };
}

/** Moves the cursor past a finished chunk: to the next table when this one is exhausted. */
export function advance(progress: StoreProgress, next: string | null): boolean {
  if (next !== null) {
    progress.after = next;
    return false;
  }
  progress.table += 1;
  progress.after = null;
  return progress.table >= progress.tables;
}
