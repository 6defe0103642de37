/**
 * Reading an archive back splits its bytes into lines before decoding them: the split must
 * give the lines of the text whatever the chunks the stream delivers, a multi-byte character
 * cut between two chunks included, and every byte must reach `onChunk` (the hash) in order.
 */
import { Readable } from "node:stream";
import fc from "fast-check";
import { archiveLines } from "../src/privacy/archive/archive-lines";

/** The lines node's readline gives for `text` split at "\n" only: no empty line after a final "\n". */
function expectedLines(text: string): string[] {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines;
}

/** `bytes` cut at `cuts` (byte offsets, possibly inside a character), as a stream of those chunks. */
function chunked(bytes: Buffer, cuts: number[]): Buffer[] {
  const offsets = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const offset of [...offsets, bytes.length]) {
    if (offset > start) chunks.push(bytes.subarray(start, offset));
    start = Math.max(start, offset);
  }
  return chunks;
}

describe("archiveLines", () => {
  it("yields the text's lines and passes every byte on, however the stream is chunked", async () => {
    // Records and lines with ASCII, accents, CJK and astral characters (4 bytes in UTF-8), a "\r" now and then.
    const line = fc.string({ unit: fc.oneof(fc.constantFrom("a", "{", '"', "\r", "é", "語", "😀"), fc.string({ unit: "binary", minLength: 1, maxLength: 1 })) }).map((text) => text.replaceAll("\n", ""));
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 20 }), fc.boolean(), fc.array(fc.nat(), { maxLength: 30 }), async (lines, finalNewline, cuts) => {
        const text = lines.join("\n") + (finalNewline && lines.length > 0 ? "\n" : "");
        const bytes = Buffer.from(text, "utf8");
        const seen: Buffer[] = [];
        const read: string[] = [];
        for await (const one of archiveLines(Readable.from(chunked(bytes, cuts)), (chunk) => seen.push(chunk))) read.push(one);
        expect(read).toEqual(expectedLines(text));
        expect(Buffer.concat(seen).equals(bytes)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("stops reading when the reader stops", async () => {
    let pulled = 0;
    const source = Readable.from(
      (function* () {
        for (let index = 0; index < 1000; index += 1) {
          pulled += 1;
          yield Buffer.from(`{"n":${index}}\n`);
        }
      })(),
    );
    const lines = archiveLines(source);
    for await (const text of lines) if (JSON.parse(text).n === 2) break;
    expect(pulled).toBeLessThan(1000);
    expect(source.destroyed).toBe(true);
  });
});
