import { connectionTypes } from "@dgg/common";
import type { Connection } from "@dgg/common";
import { AuditLogEntry } from "../entities/audit-log-entry.entity";

export const { Edge: AuditLogEdge, Connection: AuditLogConnection } = connectionTypes("AuditLog", AuditLogEntry);
export type AuditLogConnection = Connection<AuditLogEntry>;
