import type { ObjectLiteral } from "typeorm";
import { NO_EPOCH, TENANT_INDEX_SUBJECT } from "./key-store";
import type { KeyId, SubjectKeyRecord, SubjectKeyStore } from "./key-store";
import { aliasRecordsOf, keyOf, sealingSpecOf } from "./sealed-entities";

/**
 * Copies to the target region the keys the rows are sealed under (and the tenant's index key
 * for a table with blind indexes) before the rows: in the target, a copied row can always
 * be opened. A key the target already has is kept. The rows' id aliases go too, with their
 * values, so both regions store and order the rows alike (docs/decisions/0051).
 */
export function copyKeysFor(table: unknown, rows: readonly ObjectLiteral[], tenantId: string, from: SubjectKeyStore, to: SubjectKeyStore): void {
  const spec = sealingSpecOf(table);
  if (!spec) return;
  to.importAliases(aliasRecordsOf(spec, rows, from));
  if ((spec.text ?? []).length === 0 && (spec.json ?? []).length === 0 && (spec.blindIndexes ?? []).length === 0) return;
  const ids = new Map<string, KeyId>();
  for (const row of rows) {
    const id = keyOf(spec, row, "a copied row");
    ids.set(`${id.subjectId}\u0000${id.epoch}`, { subjectId: id.subjectId, epoch: id.epoch });
  }
  if ((spec.blindIndexes ?? []).length > 0) ids.set("index", { subjectId: TENANT_INDEX_SUBJECT, epoch: NO_EPOCH });
  const records: SubjectKeyRecord[] = [];
  for (const id of ids.values()) {
    if (to.find(tenantId, id)) continue;
    const key = from.find(tenantId, id);
    if (key) records.push({ tenantId, ...id, key });
  }
  to.import(records);
}
