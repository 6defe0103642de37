import { In, IsNull, LessThan, Not } from "typeorm";
import { PrivacyReceiptRecord } from "../../entities/privacy-receipt.entity";
import { PrivacyRequestEventRecord } from "../../entities/privacy-request-event.entity";
import { PrivacyRequestRecord } from "../../entities/privacy-request.entity";
import { archivePrefix } from "../archive/archive-layout";
import type { EngineDeps } from "./engine-deps";
import { WITHDRAWN_STATUSES } from "./statuses";

export interface EvidencePurgeResult {
  archivesPurged: number;
  receiptsPurged: number;
  /** Denied and canceled requests removed with their log. */
  withdrawnPurged: number;
}

/**
 * Retention of the privacy engine's own data, as of `asOf`: archives past their keep
 * period (30 days by default after completion or failure) are deleted from the blob store and marked purged on the
 * request; receipts older than a year go together with their request and checkpoint log.
 * Denied and canceled requests have no receipt: they go with their log a year after the
 * decision, once their freeze is lifted and their archive (if any was begun) purged.
 * The erasure ledger stays (it names nobody and must outlive any backup). Idempotent.
 */
export async function purgeExpiredEvidence(deps: Pick<EngineDeps, "db" | "blobs" | "privacy">, asOf: Date): Promise<EvidencePurgeResult> {
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
  const decidedBefore = LessThan(new Date(asOf.getTime() - deps.privacy.receiptRetentionMs));
  const ended = { status: In([...WITHDRAWN_STATUSES]), completedAt: decidedBefore, freezeReleasedAt: Not(IsNull()) };
  // Either no archive was begun, or it is purged already.
  const withdrawn = await requests.find({ select: { id: true }, where: [{ ...ended, archiveExpiresAt: IsNull() }, { ...ended, archivePurgedAt: Not(IsNull()) }] });
  for (const { id } of withdrawn) {
    await deps.db.transaction(async (manager) => {
      await manager.delete(PrivacyRequestEventRecord, { requestId: id });
      await manager.delete(PrivacyRequestRecord, { id });
    });
  }
  return { archivesPurged: expired.length, receiptsPurged: receipts.length, withdrawnPurged: withdrawn.length };
}
