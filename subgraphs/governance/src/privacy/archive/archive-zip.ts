import { PassThrough } from "node:stream";
import type { Readable } from "node:stream";
import { ZipFile } from "yazl";
import type { Region } from "@dgg/common";
import type { BlobStore } from "../../blob/blob-store";
import { archiveFiles, MANIFEST_FILE } from "./archive-layout";
import type { Manifest, ManifestReport } from "./archive-layout";

/** A stored manifest of any schema version: those written before archives had a report list none. */
export type StoredManifest = Pick<Manifest, "requestId" | "exportFinishedAt" | "files"> & { report?: ManifestReport };

/** Regular file, rw-r--r--: what an unzipped archive's files should be. */
const FILE_MODE = 0o100644;

/**
 * The whole archive as one zip, streamed: manifest.json as stored, then every file it lists
 * (report.html included), each read from the blob store only when the zip reaches it, so
 * memory holds a chunk at a time whatever the archive's size and one file is open at a time.
 * Every entry is dated at the export's end, so the same archive always zips to the same
 * bytes; yazl checks each file's size against the manifest and switches to ZIP64 when an
 * entry or the archive needs it. Errors (a missing file, a size that differs) end the
 * stream with an error, so a truncated zip is never mistaken for a whole one.
 */
export function zipArchive(blobs: Pick<BlobStore, "read">, region: Region, prefix: string, manifestBytes: Buffer, manifest: StoredManifest): Readable {
  const zip = new ZipFile();
  const output = new PassThrough();
  let reading: Readable | null = null;
  const fail = (error: unknown) => {
    reading?.destroy();
    output.destroy(error instanceof Error ? error : new Error(String(error)));
  };
  zip.on("error", fail);
  // A client that goes away must not leave the file being read open.
  output.on("close", () => reading?.destroy());
  const mtime = new Date(manifest.exportFinishedAt);
  zip.addBuffer(manifestBytes, MANIFEST_FILE, { mtime, mode: FILE_MODE });
  const sizes = new Map<string, number>([...manifest.files, ...(manifest.report ? [manifest.report] : [])].map((entry) => [entry.file, entry.bytes]));
  for (const file of archiveFiles(manifest).filter((name) => name !== MANIFEST_FILE)) {
    zip.addReadStreamLazy(file, { mtime, mode: FILE_MODE, size: sizes.get(file)! }, (done) => {
      reading = blobs.read(region, `${prefix}/${file}`);
      done(null, reading);
    });
  }
  zip.end();
  (zip.outputStream as Readable).on("error", fail).pipe(output);
  return output;
}
