import { fromBuffer } from "yauzl";
import type { Entry, ZipFile } from "yauzl";

/**
 * Every entry of a zip, read with yauzl (which checks each entry's CRC-32 and sizes as it
 * inflates): name → bytes, in the order the zip stores them. Rejects on anything malformed.
 */
export function unzipAll(zip: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    fromBuffer(zip, { lazyEntries: true, strictFileNames: true, validateEntrySizes: true }, (error, file?: ZipFile) => {
      if (error || !file) return reject(error ?? new Error("not a zip"));
      const entries = new Map<string, Buffer>();
      file.on("error", reject);
      file.on("end", () => resolve(entries));
      file.on("entry", (entry: Entry) => {
        file.openReadStream(entry, (openError, stream) => {
          if (openError || !stream) return reject(openError ?? new Error(`cannot read ${entry.fileName}`));
          const chunks: Buffer[] = [];
          stream.on("data", (chunk: Buffer) => chunks.push(chunk));
          stream.on("error", reject);
          stream.on("end", () => {
            entries.set(entry.fileName, Buffer.concat(chunks));
            file.readEntry();
          });
        });
      });
      file.readEntry();
    });
  });
}
