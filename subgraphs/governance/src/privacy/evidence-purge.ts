import { IsNull, LessThan } from "typeorm";
import { PrivacyReceiptRecord } from "../entities/privacy-receipt.entity";
import { PrivacyRequestEventRecord } from "../entities/privacy-request-event.entity";
import { PrivacyRequestRecord } from "../entities/privacy-request.entity";
import { archivePrefix } from "./archive-layout";
import type { EngineDeps } from "./engine-deps";

export interface EvidencePurgeResult {
  archivesPurged: number;
  receiptsPurged: number;
}

/**
 * Retention of the privacy engine's own data, as of `asOf`: archives past their keep
 * period (30 days by default after completion or failure) are deleted from the blob store and marked purged on the
 * request; receipts older than a year go together with their request and checkpoint log.
 * The erasure ledger stays (it names nobody and must outlive any backup). Idempotent.
 */
export async function purgeExpiredEvidence(deps: Pick<EngineDeps, "db" | "blobs">, asOf: Date): Promise<EvidencePurgeResult> {
  const requests = deps.db.getRepository(PrivacyRequestRecord);
  // Completed and FAILED requests alike; a FAILED one may hold only unfinished files, which go too.
  const expired = await requests.find({ where: { archiveExpiresAt: LessThan(asOf), archivePurgedAt: IsNull() } });
  for (const request of expired) {
    await deps.blobs.deletePrefix(request.region, archivePrefix(request.tenantId, request.id));
    await deps.db.transaction((manager) =>
      manager.createQueryBuilder().update(PrivacyRequestRecord).set({ archivePurgedAt: asOf }).where("id = :id", { id: request.id }).execute(),
    );
  }
  const receipts = await deps.db.getRepository(PrivacyReceiptRecord).find({ select: { requestId: true }, where: { expiresAt: LessThan(asOf) } });
  for (const { requestId } of receipts) {
    await deps.db.transaction(async (manager) => {
      await manager.delete(PrivacyRequestEventRecord, { requestId });
      await manager.delete(PrivacyRequestRecord, { id: requestId });
      await manager.delete(PrivacyReceiptRecord, { requestId });
    });
  }
  return { archivesPurged: expired.length, receiptsPurged: receipts.length };
}
