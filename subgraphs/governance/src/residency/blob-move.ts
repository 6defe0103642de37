import { createHash } from "node:crypto";
import type { Region } from "@dgg/common";
import type { MovableBlobStore } from "../blob/blob-store";
import type { StoreDigest } from "./residency-client";

/** Digest of every blob under the tenant's prefix in one region: keys and contents, in key order. */
export async function blobDigest(blobs: MovableBlobStore, region: Region, tenantId: string): Promise<StoreDigest> {
  const hash = createHash("sha256");
  const keys = await blobs.list(region, tenantId);
  for (const key of keys) {
    hash.update(`${key}\n`);
    hash.update(createHash("sha256").update(await blobs.get(region, key)).digest("hex"));
  }
  return { rows: keys.length, checksum: hash.digest("hex") };
}

/** Copies the tenant's archives to the new region (idempotent: same keys, same bytes). */
export async function copyTenantBlobs(blobs: MovableBlobStore, from: Region, to: Region, tenantId: string): Promise<void> {
  for (const key of await blobs.list(from, tenantId)) {
    await blobs.put(to, key, await blobs.get(from, key));
  }
}

/** Deletes the tenant's archives from the old region, once the copy is verified and switched. */
export async function deleteTenantBlobs(blobs: MovableBlobStore, region: Region, tenantId: string): Promise<number> {
  const keys = await blobs.list(region, tenantId);
  for (const key of keys) await blobs.delete(region, key);
  return keys.length;
}
