import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import type { Region } from "@dgg/common";

/**
 * Where export archives live. Keys are always under the tenant's region, so an archive
 * cannot land outside the elected region; an S3 or Azure Blob implementation keeps the
 * same shape with one bucket or container per region.
 */
export interface BlobStore {
  put(region: Region, key: string, bytes: Buffer): Promise<string>;
  get(region: Region, key: string): Promise<Buffer>;
}

/** The embedded default: one folder per region under `.data/blobs/`. */
export class FileSystemBlobStore implements MovableBlobStore {
  constructor(private readonly root: string) {}

  private pathOf(region: Region, key: string): string {
    const regionRoot = resolve(this.root, region);
    const path = resolve(regionRoot, key);
    if (!path.startsWith(regionRoot + sep)) throw new Error(`blob key ${JSON.stringify(key)} escapes region ${region}`);
    return path;
  }

  /** Writes atomically (temp file, then rename) and returns the archive's URL. */
  async put(region: Region, key: string, bytes: Buffer): Promise<string> {
    const path = this.pathOf(region, key);
    await mkdir(dirname(path), { recursive: true });
    const temp = `${path}.partial`;
    await writeFile(temp, bytes);
    await rename(temp, path);
    return pathToFileURL(path).href;
  }

  get(region: Region, key: string): Promise<Buffer> {
    return readFile(this.pathOf(region, key));
  }

  /** Every key under `prefix` in the region, sorted. */
  async list(region: Region, prefix: string): Promise<string[]> {
    const regionRoot = resolve(this.root, region);
    const start = this.pathOf(region, prefix);
    const entries = await readdir(start, { recursive: true, withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return [];
      throw error;
    });
    return entries
      .filter((entry) => entry.isFile() && !entry.name.endsWith(".partial"))
      .map((entry) => relative(regionRoot, join(entry.parentPath, entry.name)).split(sep).join("/"))
      .sort();
  }

  async delete(region: Region, key: string): Promise<void> {
    await rm(this.pathOf(region, key), { force: true });
  }
}

export function blobRootFromEnv(dataDirectory: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.BLOB_STORE_DIR ?? join(dataDirectory, "blobs");
}

/** What a tenant move needs of a blob store: list, copy and delete everything under a prefix. */
export interface MovableBlobStore extends BlobStore {
  list(region: Region, prefix: string): Promise<string[]>;
  delete(region: Region, key: string): Promise<void>;
}
