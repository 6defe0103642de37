import { createHash, randomUUID } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { Transform } from "node:stream";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { pathToFileURL } from "node:url";
import type { Region } from "@dgg/common";

/** An unfinished blob being appended to; `sync` makes what was written durable. */
export interface BlobWriter {
  write(bytes: Buffer): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Where export archives live. Keys are always under the tenant's region, so an archive
 * cannot land outside the elected region; an S3 or Azure Blob implementation keeps the
 * same shape with one bucket or container per region (unfinished blobs map to multipart
 * uploads).
 */
export interface BlobStore {
  put(region: Region, key: string, bytes: Buffer): Promise<string>;
  get(region: Region, key: string): Promise<Buffer>;
  /** Streams a finished blob. */
  read(region: Region, key: string): Readable;
  exists(region: Region, key: string): Promise<boolean>;
  /**
   * Opens one attempt's unfinished copy of `key` for appending after its first `offset` bytes;
   * anything beyond them is discarded. Each attempt writes its own copy (`attempt`; null names
   * the copy of checkpoints written before attempts had names), so a worker that lost its
   * lease and writes on can only spoil a copy nobody will use.
   */
  openPartial(region: Region, key: string, attempt: string | null, offset: number): Promise<BlobWriter>;
  /** Starts attempt `to`'s unfinished copy with the first `length` bytes of attempt `from`'s. */
  copyPartial(region: Region, key: string, from: string | null, to: string, length: number): Promise<void>;
  /** Streams the first `length` bytes of an attempt's unfinished copy (to rebuild a hash on resume). */
  readPartial(region: Region, key: string, attempt: string | null, length: number): Readable;
  /** Deletes one attempt's unfinished copy (it was never checkpointed); a no-op if it is gone. */
  discardPartial(region: Region, key: string, attempt: string): Promise<void>;
  /**
   * Makes the attempt's unfinished copy the blob and deletes every other attempt's; a no-op
   * when that already happened.
   */
  commitPartial(region: Region, key: string, attempt: string | null): Promise<void>;
  /** Removes every blob under `prefix`; returns how many files went. */
  deletePrefix(region: Region, prefix: string): Promise<number>;
  locationOf(region: Region, key: string): string;
}

const PARTIAL = ".partial";
/** A blob being copied in from another region: never listed as a blob, renamed into place when whole. */
const INCOMING = ".incoming";

/** The embedded default: one folder per region under `.data/blobs/`. */
export class FileSystemBlobStore implements MovableBlobStore {
  constructor(private readonly root: string) {}

  private pathOf(region: Region, key: string): string {
    const regionRoot = resolve(this.root, region);
    const path = resolve(regionRoot, key);
    if (!path.startsWith(regionRoot + sep)) throw new Error(`blob key ${JSON.stringify(key)} escapes region ${region}`);
    return path;
  }

  locationOf(region: Region, key: string): string {
    return pathToFileURL(this.pathOf(region, key)).href;
  }

  /** Writes atomically (temp file, fsync, then rename) and returns the blob's URL. */
  async put(region: Region, key: string, bytes: Buffer): Promise<string> {
    const path = this.pathOf(region, key);
    await mkdir(dirname(path), { recursive: true });
    // Its own temporary name: two writers of the same blob never write into one file.
    const temp = `${path}.${randomUUID()}${PARTIAL}`;
    await writeFile(temp, bytes, { flush: true });
    await rename(temp, path);
    return this.locationOf(region, key);
  }

  get(region: Region, key: string): Promise<Buffer> {
    return readFile(this.pathOf(region, key));
  }

  /**
   * Every key under `prefix` in the region, sorted. With `unfinished`, also the unfinished
   * copies (`<key>.partial`, an export half-written) and interrupted incoming copies, which a
   * tenant move must take along or delete too.
   */
  async list(region: Region, prefix: string, options: { unfinished?: boolean } = {}): Promise<string[]> {
    const regionRoot = resolve(this.root, region);
    const start = this.pathOf(region, prefix);
    const entries = await readdir(start, { recursive: true, withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return [];
      throw error;
    });
    return entries
      .filter((entry) => entry.isFile() && (options.unfinished === true || !(entry.name.endsWith(PARTIAL) || entry.name.endsWith(INCOMING))))
      .map((entry) => relative(regionRoot, join(entry.parentPath, entry.name)).split(sep).join("/"))
      .sort();
  }

  async delete(region: Region, key: string): Promise<void> {
    await rm(this.pathOf(region, key), { force: true });
  }

  read(region: Region, key: string): Readable {
    return createReadStream(this.pathOf(region, key));
  }

  async exists(region: Region, key: string): Promise<boolean> {
    return stat(this.pathOf(region, key)).then(
      () => true,
      () => false,
    );
  }

  private partialPath(region: Region, key: string, attempt: string | null): string {
    if (attempt !== null && !/^[0-9a-f-]{36}$/.test(attempt)) throw new Error(`export attempt ${JSON.stringify(attempt)} is not a UUID`);
    return `${this.pathOf(region, key)}${attempt === null ? "" : `.${attempt}`}${PARTIAL}`;
  }

  async openPartial(region: Region, key: string, attempt: string | null, offset: number): Promise<BlobWriter> {
    const path = this.partialPath(region, key, attempt);
    await mkdir(dirname(path), { recursive: true });
    const handle: FileHandle = await open(path, offset === 0 ? "w" : "r+");
    const size = (await handle.stat()).size;
    if (size < offset) {
      await handle.close();
      throw new Error(`unfinished blob ${key} has ${size} bytes, fewer than the ${offset} checkpointed`);
    }
    // Bytes written after the last checkpoint are not accounted for anywhere: drop them.
    await handle.truncate(offset);
    let position = offset;
    return {
      async write(bytes) {
        let done = 0;
        while (done < bytes.length) {
          const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position);
          done += bytesWritten;
          position += bytesWritten;
        }
      },
      sync: () => handle.sync(),
      close: () => handle.close(),
    };
  }

  async copyPartial(region: Region, key: string, from: string | null, to: string, length: number): Promise<void> {
    const target = this.partialPath(region, key, to);
    await mkdir(dirname(target), { recursive: true });
    if (length === 0) {
      await writeFile(target, Buffer.alloc(0));
      return;
    }
    await pipeline(createReadStream(this.partialPath(region, key, from), { start: 0, end: length - 1 }), createWriteStream(target, { flush: true }));
  }

  async discardPartial(region: Region, key: string, attempt: string): Promise<void> {
    await rm(this.partialPath(region, key, attempt), { force: true });
  }

  readPartial(region: Region, key: string, attempt: string | null, length: number): Readable {
    return createReadStream(this.partialPath(region, key, attempt), { start: 0, end: length - 1 });
  }

  async commitPartial(region: Region, key: string, attempt: string | null): Promise<void> {
    const path = this.pathOf(region, key);
    try {
      await rename(this.partialPath(region, key, attempt), path);
    } catch (error) {
      // Already committed by an earlier run that died before recording it.
      if (!((error as NodeJS.ErrnoException).code === "ENOENT" && (await this.exists(region, key)))) throw error;
    }
    // Other attempts' copies hold the same personal data, unaccounted for: they go.
    const name = basename(path);
    const siblings = await readdir(dirname(path)).catch(() => [] as string[]);
    await Promise.all(
      siblings.filter((entry) => entry.startsWith(`${name}.`) && entry.endsWith(PARTIAL)).map((entry) => rm(join(dirname(path), entry), { force: true })),
    );
  }

  async copyBetweenRegions(from: Region, to: Region, key: string): Promise<{ sha256: string; bytes: number }> {
    const target = this.pathOf(to, key);
    await mkdir(dirname(target), { recursive: true });
    const temp = `${target}${INCOMING}`;
    const hash = createHash("sha256");
    let bytes = 0;
    // Streamed: memory holds one chunk whatever the archive's size; the hash is taken on the way.
    const tap = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        bytes += chunk.length;
        done(null, chunk);
      },
    });
    const out = createWriteStream(temp, { flush: true });
    await pipeline(createReadStream(this.pathOf(from, key)), tap, out);
    await rename(temp, target);
    return { sha256: hash.digest("hex"), bytes };
  }

  async sha256Of(region: Region, key: string): Promise<string> {
    const hash = createHash("sha256");
    await pipeline(createReadStream(this.pathOf(region, key)), hash);
    return hash.digest("hex");
  }

  async deletePrefix(region: Region, prefix: string): Promise<number> {
    const path = this.pathOf(region, prefix);
    const files = await readdir(path, { recursive: true }).catch(() => [] as string[]);
    await rm(path, { recursive: true, force: true });
    return files.length;
  }
}

export function blobRootFromEnv(dataDirectory: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.BLOB_STORE_DIR ?? join(dataDirectory, "blobs");
}

/** What a tenant move needs of a blob store: list, copy and delete everything under a prefix. */
export interface MovableBlobStore extends BlobStore {
  /** Keys under `prefix`, sorted; `unfinished` includes unfinished and interrupted copies (see FileSystemBlobStore). */
  list(region: Region, prefix: string, options?: { unfinished?: boolean }): Promise<string[]>;
  delete(region: Region, key: string): Promise<void>;
  /** Streams one blob (finished or not) to the same key in another region, atomically, returning its SHA-256 taken while streaming. */
  copyBetweenRegions(from: Region, to: Region, key: string): Promise<{ sha256: string; bytes: number }>;
  /** SHA-256 of one blob (finished or not), streamed. */
  sha256Of(region: Region, key: string): Promise<string>;
}
