import type { PrivacyRequestRecord } from "../entities/privacy-request.entity";
import { ARCHIVE_FORMAT } from "../services/archive";
import type { PrivacyRequest } from "../types/privacy-request.type";

/** Stored request → API shape; the export appears once it was written and verified. */
export function toPrivacyRequest(record: PrivacyRequestRecord): PrivacyRequest {
  const exported = record.exportLocation && record.exportSha256 && record.exportedAt;
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
    error: record.error,
    createdAt: record.createdAt,
    completedAt: record.completedAt,
  };
}
