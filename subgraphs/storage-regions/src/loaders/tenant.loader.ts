import DataLoader from "dataloader";
import { In } from "typeorm";
import type { DataSource } from "typeorm";
import { Tenant } from "../entities/tenant.entity";

/**
 * Tenants by id, one `IN` query per batch. Returns null for an unknown id (callers
 * decide whether that is NOT_FOUND, FORBIDDEN or simply an unresolvable reference).
 */
export function createTenantLoader(db: DataSource): DataLoader<string, Tenant | null> {
  return new DataLoader(async (ids) => {
    const rows = await db.getRepository(Tenant).findBy({ id: In([...ids]) });
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}
