import { registerEnumType } from "type-graphql";

/** The regions a tenant's administrator can elect for its customer data. */
export enum Region {
  NORTH_AMERICA = "NORTH_AMERICA",
  EUROPE = "EUROPE",
  ASIA_PACIFIC = "ASIA_PACIFIC",
}

/** What the seed calls accounts, service data and associated logs. */
export enum DataCategory {
  ACCOUNT = "ACCOUNT",
  SERVICE_DATA = "SERVICE_DATA",
  TELEMETRY = "TELEMETRY",
  AUDIT_LOG = "AUDIT_LOG",
}

/** The seed's storage locations; telemetry has its own store. */
export enum StorageKind {
  SQL_DATABASE = "SQL_DATABASE",
  RELIABLE_COLLECTION = "RELIABLE_COLLECTION",
  BLOB_STORAGE = "BLOB_STORAGE",
  TELEMETRY_STORE = "TELEMETRY_STORE",
}

export enum ManagementState {
  MANAGED = "MANAGED",
  REMOVED = "REMOVED",
}

export enum TelemetryKind {
  SERVICE_LOG = "SERVICE_LOG",
  PERFORMANCE_LOG = "PERFORMANCE_LOG",
  ERROR = "ERROR",
}

export enum PrivacyRequestStatus {
  /** The tenant's policy requires a second person to approve before anything runs. */
  AWAITING_APPROVAL = "AWAITING_APPROVAL",
  RECEIVED = "RECEIVED",
  EXPORTING = "EXPORTING",
  EXPORTED = "EXPORTED",
  /** A legal hold arrived before erasure began: nothing is erased until it is lifted. */
  ON_HOLD = "ON_HOLD",
  ERASING = "ERASING",
  COMPLETED = "COMPLETED",
  FAILED = "FAILED",
  /** Refused at approval, with a reason; nothing was exported or erased. */
  DENIED = "DENIED",
  /** Withdrawn before erasure began; nothing was erased. */
  CANCELED = "CANCELED",
}

/** What a privacy request does: ACCESS exports an electronic copy (GDPR Art. 15 and 20); RESTRICT_PROCESSING exports, then erases. */
export enum PrivacyRequestKind {
  ACCESS = "ACCESS",
  RESTRICT_PROCESSING = "RESTRICT_PROCESSING",
}

registerEnumType(Region, { name: "Region" });
registerEnumType(DataCategory, {
  name: "DataCategory",
  description: "What the seed calls accounts, service data and associated logs.",
});
registerEnumType(StorageKind, { name: "StorageKind", description: "The seed's storage locations; telemetry has its own store." });
registerEnumType(ManagementState, { name: "ManagementState" });
registerEnumType(TelemetryKind, { name: "TelemetryKind" });
registerEnumType(PrivacyRequestStatus, { name: "PrivacyRequestStatus" });
registerEnumType(PrivacyRequestKind, { name: "PrivacyRequestKind" });

export const REGIONS: readonly Region[] = Object.values(Region);
