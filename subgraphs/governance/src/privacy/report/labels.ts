import { DataCategory, Region, StorageKind } from "@dgg/common";
import type { ProcessingStatement } from "../../retention/retention.type";

/**
 * Words for the codes the report shows. Typed as complete records, so a new category,
 * region, storage kind or processing-statement field does not compile until it has words.
 */
export const CATEGORY_LABELS: Record<DataCategory, { title: string; about: string }> = {
  [DataCategory.ACCOUNT]: { title: "Account", about: "Your account: names, e-mail address, management state." },
  [DataCategory.SERVICE_DATA]: { title: "Service data (devices)", about: "The devices enrolled in management under your account." },
  [DataCategory.TELEMETRY]: { title: "Telemetry", about: "Service logs, performance logs and errors your devices sent." },
  [DataCategory.AUDIT_LOG]: { title: "Audit log", about: "Entries about actions by you or about you (reads of your data, requests, changes)." },
};

export const REGION_LABELS: Record<Region, string> = {
  [Region.NORTH_AMERICA]: "North America",
  [Region.EUROPE]: "Europe",
  [Region.ASIA_PACIFIC]: "Asia Pacific",
};

export const STORAGE_KIND_LABELS: Record<StorageKind, string> = {
  [StorageKind.SQL_DATABASE]: "SQL database",
  [StorageKind.RELIABLE_COLLECTION]: "reliable collection",
  [StorageKind.BLOB_STORAGE]: "blob storage",
  [StorageKind.TELEMETRY_STORE]: "telemetry store",
};

/** The API's `processing` statement (PROCESSING_STATEMENT), one sentence per field. */
export const PROCESSING_LABELS: Record<keyof ProcessingStatement, string> = {
  isoCertifiedSystems: "Processed in ISO-certified systems",
  usedForProfiling: "Used for profiling",
  usedForMarketing: "Used for marketing",
};

const REQUEST_KIND_LABELS: Record<string, string> = {
  RESTRICT_PROCESSING: "Restriction of processing: an electronic copy, then erasure",
  ACCESS: "Access: an electronic copy",
};

/** A request kind in words; a kind without words shows as its code. */
export const requestKindLabel = (kind: string): string => REQUEST_KIND_LABELS[kind] ?? kind;
