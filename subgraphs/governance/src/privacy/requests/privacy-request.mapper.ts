import { PrivacyRequestStatus } from "@dgg/common";
import type { PrivacyReceiptRecord } from "../../entities/privacy-receipt.entity";
import type { PrivacyRequestRecord } from "../../entities/privacy-request.entity";
import { ARCHIVE_FORMAT } from "../archive/archive-layout";
import { progressOf } from "../engine/checkpoint";
import { isFinished } from "../engine/statuses";
import { CATEGORY_ORDER } from "../../retention/retention-rules";
import type { PrivacyReceipt, PrivacyRequest } from "./privacy-request.type";

/** Stored request → API shape; the export appears once it was written and verified. `receipt` is resolved separately. */
export function toPrivacyRequest(record: PrivacyRequestRecord, now: Date): PrivacyRequest {
  const exported = record.exportLocation && record.exportSha256 && record.exportedAt && record.verifiedAt;
  const open = !isFinished(record.status);
  return {
    id: record.id,
    userId: record.userId,
    tenantId: record.tenantId,
    status: record.status,
    reason: record.reason,
    export: exported
      ? {
          region: record.region,
          location: record.exportLocation!,
          format: ARCHIVE_FORMAT,
          sha256: record.exportSha256!,
          byteSize: record.exportByteSize ?? 0,
          counts: (record.exportCounts ?? []).map(({ category, count }) => ({ category, records: count })),
          createdAt: record.exportedAt!,
        }
      : null,
    erasures: (record.erasures ?? []).map(({ category, count }) => ({ category, erased: count })),
    error: record.status === PrivacyRequestStatus.FAILED ? record.error : null,
    createdAt: record.createdAt,
    completedAt: record.completedAt,
    kind: record.kind,
    requestedBy: record.requestedBy,
    dueAt: record.dueAt,
    overdue: open && record.dueAt.getTime() < now.getTime(),
    progress: progressOf(record.checkpoint, CATEGORY_ORDER),
    steps: {
      receivedAt: record.createdAt,
      exportStartedAt: record.exportStartedAt,
      exportVerifiedAt: record.verifiedAt,
      erasureStartedAt: record.erasureStartedAt,
      completedAt: record.completedAt,
      failedAt: record.status === PrivacyRequestStatus.FAILED ? record.failedAt : null,
    },
    attempts: record.attempts,
    lastError: record.error,
    lastErrorAt: record.lastErrorAt,
    nextAttemptAt: record.status === PrivacyRequestStatus.FAILED ? null : record.nextAttemptAt,
    archiveExpiresAt: record.archiveExpiresAt,
    archivePurged: record.archivePurgedAt !== null,
    receipt: null,
    approvedBy: record.approvedBy,
    approvedAt: record.approvedAt,
    decisionReason: record.decisionReason,
    deadlineExtensions: record.deadlineExtensions.map((extension) => ({ ...extension, extendedAt: new Date(extension.extendedAt) })),
  };
}

export function toPrivacyReceipt(record: PrivacyReceiptRecord): PrivacyReceipt {
  return {
    manifestSha256: record.manifestSha256,
    exported: record.exported.map(({ category, count }) => ({ category, records: count })),
    erasures: record.erasures.flatMap((entry) =>
      entry.counts.map(({ category, count }) => ({ subgraph: entry.subgraph, category, erased: count, erasedAt: new Date(entry.erasedAt) })),
    ),
    requestedBy: record.requestedBy,
    requestedAt: record.requestedAt,
    completedAt: record.completedAt,
    expiresAt: record.expiresAt,
  };
}
