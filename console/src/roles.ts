// What the signed-in role may do: the gateway's own table (packages/common), not a copy.
import { OPERATION_ROLES } from "@dgg/operation-roles";

export type Operation = keyof typeof OPERATION_ROLES;
export type Role = (typeof OPERATION_ROLES)[Operation][number] | "operator" | "tenant-admin" | "privacy-officer" | "data-subject" | "ingest";

export function may(role: Role, operation: Operation): boolean {
  return (OPERATION_ROLES[operation] as readonly string[]).includes(role);
}

export const ROLE_LABELS: Record<string, string> = {
  operator: "Operator",
  "tenant-admin": "Tenant admin",
  "privacy-officer": "Privacy officer",
  "data-subject": "Data subject",
  ingest: "Ingest",
};
