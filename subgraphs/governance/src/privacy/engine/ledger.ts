import { eraseEverywhere } from "../../contract/erase-everywhere";
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { PLATFORM_TENANT_ID } from "@dgg/common";
import { In } from "typeorm";
import type { EntityManager } from "typeorm";
import { ErasureLedgerRecord } from "../../entities/erasure-ledger.entity";
import type { EngineDeps } from "./engine-deps";

/** The keyed hash of a user id: recognisable with the key, meaningless without it. */
export function subjectHash(key: Buffer, userId: string): string {
  return createHmac("sha256", key).update(userId.toLowerCase()).digest("hex");
}

/** Adds the person to the ledger (idempotent), inside the transaction that starts their erasure. */
export async function recordErasedSubject(manager: EntityManager, key: Buffer, userId: string, at: Date): Promise<void> {
  const hash = subjectHash(key, userId);
  if (await manager.findOneBy(ErasureLedgerRecord, { subjectHash: hash })) return;
  await manager.insert(ErasureLedgerRecord, { subjectHash: hash, erasedAt: at, replays: 0, lastReplayedAt: null });
}

/**
 * Reads the ledger key (at least 32 bytes, hex or raw). In development a missing key file
 * is created; in production it must be provided, because a lost key makes the ledger useless.
 */
export function loadLedgerKey(path: string, env: NodeJS.ProcessEnv = process.env): Buffer {
  if (env.ERASURE_LEDGER_KEY) return parseKey(env.ERASURE_LEDGER_KEY, "ERASURE_LEDGER_KEY");
  if (!existsSync(path)) {
    if (env.NODE_ENV === "production") throw new Error(`erasure ledger key not found at ${path}: set ERASURE_LEDGER_KEY_FILE or ERASURE_LEDGER_KEY`);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${randomBytes(32).toString("hex")}\n`, { mode: 0o600, flag: "wx" });
  }
  return parseKey(readFileSync(path, "utf8").trim(), path);
}

function parseKey(text: string, source: string): Buffer {
  const key = /^[0-9a-f]+$/i.test(text) && text.length % 2 === 0 ? Buffer.from(text, "hex") : Buffer.from(text, "utf8");
  if (key.length < 32) throw new Error(`erasure ledger key from ${source} must hold at least 32 bytes, got ${key.length}`);
  return key;
}

export interface ReplayResult {
  scanned: number;
  reErased: number;
}

/**
 * Walks every user id every data subgraph holds, and erases again anyone whose keyed hash
 * is in the ledger: people who came back with a restored backup. Safe to run any time
 * (erasure is idempotent, and a person enters the ledger only once their archive is verified).
 */
export async function replayErasureLedger(deps: EngineDeps): Promise<ReplayResult> {
  const ledger = deps.db.getRepository(ErasureLedgerRecord);
  /** Erased user id -> its tenant (as a data subgraph reported it), to address the re-erasure. */
  const found = new Map<string, string | null>();
  let scanned = 0;
  for (const subgraph of deps.contract.subgraphs) {
    let after: string | null = null;
    do {
      const page = await deps.contract.subjects(subgraph, after);
      scanned += page.userIds.length;
      const byHash = new Map(page.userIds.map((userId, index) => [subjectHash(deps.ledgerKey, userId), { userId, tenantId: page.tenantIds?.[index] ?? null }]));
      if (byHash.size > 0) {
        const hits = await ledger.find({ select: { subjectHash: true }, where: { subjectHash: In([...byHash.keys()]) } });
        for (const hit of hits) {
          const subject = byHash.get(hit.subjectHash)!;
          if (!found.get(subject.userId)) found.set(subject.userId, subject.tenantId);
        }
      }
      after = page.nextCursor;
    } while (after);
  }
  for (const [userId, reported] of found) {
    // The erase call names the tenant (its region's store); a subgraph that did not know it falls back on the owner lookup.
    const tenantId = reported ?? (await deps.contract.ownerOf(userId));
    if (tenantId) await eraseEverywhere(deps.contract, userId, tenantId, `pseudonym:${randomUUID()}`);
    const now = deps.clock.now();
    await deps.db.transaction((manager) =>
      manager
        .createQueryBuilder()
        .update(ErasureLedgerRecord)
        .set({ replays: () => "replays + 1", lastReplayedAt: now })
        .where("subject_hash = :hash", { hash: subjectHash(deps.ledgerKey, userId) })
        .execute(),
    );
  }
  if (found.size > 0) {
    // Counted, never named: the trail must not bring the person back either.
    await deps.audit.record(await deps.serviceToken(), [
      { tenantId: PLATFORM_TENANT_ID, action: "ERASURE_LEDGER_REPLAYED", subjectUserId: null, details: { reErased: found.size, scanned } },
    ]);
  }
  return { scanned, reErased: found.size };
}
