import { graphqlEnum } from "./graphql-enum";
import type { EnumValue } from "./graphql-enum";

/** The regions a tenant's administrator can elect for its customer data. */
export const Region = graphqlEnum("Region", ["NORTH_AMERICA", "EUROPE", "ASIA_PACIFIC"]);
export type Region = EnumValue<typeof Region>;

/** What the seed calls accounts, service data and associated logs. */
export const DataCategory = graphqlEnum(
  "DataCategory",
  ["ACCOUNT", "SERVICE_DATA", "TELEMETRY", "AUDIT_LOG"],
  "What the seed calls accounts, service data and associated logs.",
);
export type DataCategory = EnumValue<typeof DataCategory>;

/** The seed's storage locations; telemetry has its own store. */
export const StorageKind = graphqlEnum(
  "StorageKind",
  ["SQL_DATABASE", "RELIABLE_COLLECTION", "BLOB_STORAGE", "TELEMETRY_STORE"],
  "The seed's storage locations; telemetry has its own store.",
);
export type StorageKind = EnumValue<typeof StorageKind>;

export const ManagementState = graphqlEnum("ManagementState", ["MANAGED", "REMOVED"]);
export type ManagementState = EnumValue<typeof ManagementState>;

export const TelemetryKind = graphqlEnum("TelemetryKind", ["SERVICE_LOG", "PERFORMANCE_LOG", "ERROR"]);
export type TelemetryKind = EnumValue<typeof TelemetryKind>;

/**
 * AWAITING_APPROVAL: the tenant's policy requires a second person to approve before anything runs.
 * ON_HOLD: a legal hold arrived before erasure began; nothing is erased until it is lifted.
 * DENIED: refused at approval, with a reason; nothing was exported or erased.
 * CANCELED: withdrawn before erasure began; nothing was erased.
 */
export const PrivacyRequestStatus = graphqlEnum("PrivacyRequestStatus", [
  "AWAITING_APPROVAL", "RECEIVED", "EXPORTING", "EXPORTED", "ON_HOLD", "ERASING", "COMPLETED", "FAILED", "DENIED", "CANCELED",
]);
export type PrivacyRequestStatus = EnumValue<typeof PrivacyRequestStatus>;

/** What a privacy request does: ACCESS exports an electronic copy (GDPR Art. 15 and 20); RESTRICT_PROCESSING exports, then erases. */
export const PrivacyRequestKind = graphqlEnum("PrivacyRequestKind", ["ACCESS", "RESTRICT_PROCESSING"]);
export type PrivacyRequestKind = EnumValue<typeof PrivacyRequestKind>;

export const REGIONS: readonly Region[] = Object.values(Region);
