import type { CategoryCount, DataCategory, StorageLayoutEntry } from "@dgg/common";

/** Where one category's archive file stands. Bytes and records are durable on disk when checkpointed. */
export interface FileCheckpoint {
  category: DataCategory;
  file: string;
  format: "json" | "ndjson";
  records: number;
  bytes: number;
  /** The export cursor of the next page; null before the first page and once exhausted. */
  cursor: string | null;
  /**
   * The data subgraph `cursor` belongs to, when several hold the category (they fill the file
   * in erasure order); absent in checkpoints written before that, which meant the only one.
   */
  source?: string | null;
  /** The last subgraph had no further page when this checkpoint was taken. */
  exhausted: boolean;
  /** The file is closed and its hash final; it may still sit under its unfinished name until committed. */
  complete: boolean;
  /**
   * The export attempt whose unfinished copy holds the checkpointed bytes (each attempt writes
   * its own, see BlobStore.openPartial); absent in checkpoints written before attempts had names.
   */
  attempt?: string | null;
  sha256: string | null;
}

/** report.html once written and durable: what the manifest lists, and the storage layout it states. */
export interface ReportCheckpoint {
  file: string;
  bytes: number;
  sha256: string;
  /** The layout as storage-regions answered when the report was rendered. */
  storage: StorageLayoutEntry[];
}

/** Where erasure in one data subgraph stands. */
export interface EraseCheckpoint {
  subgraph: string;
  /** Set before the erase call: from then on a call may have reached the subgraph. */
  startedAt: number | null;
  /** What the subgraph held just before the first erase call. */
  before: CategoryCount[] | null;
  erasedAt: number | null;
  erased: CategoryCount[] | null;
}

/** A request's whole resumable state, stored with the request row. */
export interface RequestCheckpoint {
  files: FileCheckpoint[];
  /** When the last file was completed: the manifest's export end time (kept so a rewritten manifest is identical). */
  exportFinishedAt?: number | null;
  /** report.html, once written; absent until then (and in checkpoints written before archives had one). */
  report?: ReportCheckpoint | null;
  /** When every data subgraph acknowledged the subject's freeze (epoch ms); absent until then. */
  frozenAt?: number | null;
  erasures: EraseCheckpoint[];
}

export const emptyCheckpoint = (): RequestCheckpoint => ({ files: [], exportFinishedAt: null, erasures: [] });

/** Exported and erased records per category, for `progress`. */
export function progressOf(checkpoint: RequestCheckpoint, categories: readonly DataCategory[]) {
  return categories.map((category) => {
    const file = checkpoint.files.find((candidate) => candidate.category === category);
    const erased = checkpoint.erasures
      .flatMap((erasure) => erasure.erased ?? [])
      .filter((count) => count.category === category)
      .reduce((sum, count) => sum + count.count, 0);
    return { category, exported: file?.records ?? 0, exportComplete: file?.complete ?? false, erased };
  });
}
