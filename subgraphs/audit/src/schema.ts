import { buildFederatedSchema } from "@dgg/common";
import type { FederatedSchema } from "@dgg/common";
import { AuditLogEntry } from "./entities/audit-log-entry.entity";
import { PersonalData } from "./types/personal-data.type";
import { PersonalDataResolver } from "./resolvers/personal-data.resolver";
import { referenceResolvers } from "./resolvers/references";

/**
 * The audit subgraph: the append-only audit trail (AUDIT_LOG). It has no Query or
 * Mutation fields: entries are read through PersonalData and appended internally.
 */
export function buildAuditSchema(): Promise<FederatedSchema> {
  return buildFederatedSchema({ resolvers: [PersonalDataResolver], orphanedTypes: [AuditLogEntry, PersonalData] }, referenceResolvers);
}
