import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
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
export class FileSystemBlobStore implements BlobStore {
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
}

export function blobRootFromEnv(dataDirectory: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.BLOB_STORE_DIR ?? join(dataDirectory, "blobs");
}
