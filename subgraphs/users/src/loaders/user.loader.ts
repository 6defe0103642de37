import DataLoader from "dataloader";
import { In } from "typeorm";
import type { DataSource } from "typeorm";
import { UserAccount } from "../entities/user-account.entity";

/**
 * Accounts by id, one `IN` query per batch. Returns null for an unknown id (callers
 * decide whether that is NOT_FOUND or simply "no account held").
 */
export function createUserLoader(db: DataSource): DataLoader<string, UserAccount | null> {
  return new DataLoader(async (ids) => {
    const rows = await db.getRepository(UserAccount).findBy({ id: In([...ids]) });
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}
