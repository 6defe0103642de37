import { createHash } from "node:crypto";
import type { CategoryCount, DataCategory, Region } from "@dgg/common";
import type { BlobStore } from "../blob/blob-store";
import type { PersonalDataContractClient } from "./data-subgraphs";
import { CATEGORY_ORDER } from "./retention-rules";

export const ARCHIVE_FORMAT = "application/vnd.dgg.personal-data-export.v1+json";

/** What `archive.json` holds: every category of one user's data, as the subgraphs exported it. */
export interface ArchiveDocument {
  format: string;
  requestId: string;
  userId: string;
  tenantId: string;
  region: Region;
  createdAt: string;
  categories: Record<string, Record<string, unknown>[]>;
}

export interface StoredArchive {
  location: string;
  sha256: string;
  byteSize: number;
  counts: CategoryCount[];
}

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

/** Pages through every category of the internal contract and collects the records. */
export async function collectArchive(
  contract: PersonalDataContractClient,
  request: { id: string; userId: string; tenantId: string; region: Region; createdAt: Date },
): Promise<ArchiveDocument> {
  const categories: Record<string, Record<string, unknown>[]> = {};
  for (const category of CATEGORY_ORDER) {
    const records: Record<string, unknown>[] = [];
    let after: string | null = null;
    do {
      const page = await contract.exportPage(category, request.userId, request.tenantId, after);
      records.push(...page.records);
      after = page.nextCursor;
    } while (after);
    categories[category] = records;
  }
  return {
    format: ARCHIVE_FORMAT,
    requestId: request.id,
    userId: request.userId,
    tenantId: request.tenantId,
    region: request.region,
    createdAt: request.createdAt.toISOString(),
    categories,
  };
}

export function countsOf(archive: ArchiveDocument): CategoryCount[] {
  return CATEGORY_ORDER.map((category) => ({ category, count: archive.categories[category]?.length ?? 0 }));
}

/**
 * Writes `archive.json` and a `manifest.json` (counts, SHA-256) under the tenant's region,
 * then reads both back and verifies them. Only a verified archive is returned; anything
 * else throws, and the caller must not erase.
 */
export async function storeAndVerifyArchive(blobs: BlobStore, archive: ArchiveDocument): Promise<StoredArchive> {
  const prefix = `${archive.tenantId}/privacy-requests/${archive.requestId}`;
  const bytes = Buffer.from(JSON.stringify(archive), "utf8");
  const digest = sha256(bytes);
  const counts = countsOf(archive);
  const location = await blobs.put(archive.region, `${prefix}/archive.json`, bytes);
  const manifest = { format: archive.format, requestId: archive.requestId, archive: "archive.json", sha256: digest, byteSize: bytes.length, counts, createdAt: archive.createdAt };
  await blobs.put(archive.region, `${prefix}/manifest.json`, Buffer.from(JSON.stringify(manifest, null, 2), "utf8"));

  const readBack = await blobs.get(archive.region, `${prefix}/archive.json`);
  if (sha256(readBack) !== digest || readBack.length !== bytes.length) {
    throw new Error(`archive ${location} failed verification: SHA-256 of the stored copy differs`);
  }
  const reparsed = JSON.parse(readBack.toString("utf8")) as ArchiveDocument;
  for (const { category, count } of counts) {
    const stored = reparsed.categories[category as DataCategory]?.length ?? 0;
    if (stored !== count) throw new Error(`archive ${location} failed verification: ${category} has ${stored} records, expected ${count}`);
  }
  return { location, sha256: digest, byteSize: bytes.length, counts };
}
