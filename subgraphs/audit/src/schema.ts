import { buildFederatedSchema } from "@dgg/common";
import type { FederatedSchema } from "@dgg/common";
import { AuditLogEntry } from "./entities/audit-log-entry.entity";
import { PersonalData } from "./types/personal-data.type";
import { PersonalDataResolver } from "./resolvers/personal-data.resolver";
import { referenceResolvers } from "./resolvers/references";
import { TenantAuditLogResolver } from "./resolvers/tenant-audit-log.resolver";

/**
 * The audit subgraph: the append-only audit trail (AUDIT_LOG). Entries are read through
 * PersonalData (one person's) or tenantAuditLog (the caller's tenant's), and appended
 * internally; there is no Mutation.
 */
export function buildAuditSchema(): Promise<FederatedSchema> {
  return buildFederatedSchema({ resolvers: [PersonalDataResolver, TenantAuditLogResolver], orphanedTypes: [AuditLogEntry, PersonalData] }, referenceResolvers);
}
