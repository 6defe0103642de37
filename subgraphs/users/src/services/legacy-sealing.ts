import { SEALED_PREFIX, sealedCopies } from "@dgg/common";
import type { RegionalStores } from "@dgg/common";
import type { DataSource, QueryDeepPartialEntity } from "typeorm";
import { Device } from "../entities/device.entity";
import { UserAccount } from "../entities/user-account.entity";

const BATCH = 500;

/**
 * Seals accounts and devices written before content was sealed (docs/decisions/0044), and
 * fills the principal name's blind index, without which such an account could not be found
 * by name. Runs at start-up. Rows are read (clear values pass through), sealed in one pass
 * and written back with explicit UPDATEs: a save would compare the clear values with
 * themselves and write nothing. Rows are walked by id, so each is visited once. With
 * nothing left to seal it is one query per table and region. Returns how many rows it sealed.
 */
export async function sealLegacyRows(stores: RegionalStores): Promise<number> {
  let sealed = 0;
  for (const [, db] of stores.entries()) {
    sealed += await sealTable(db, stores, UserAccount, "u.principal_name_index IS NULL", (row) => ({
      userPrincipalName: row.userPrincipalName,
      displayName: row.displayName,
      email: row.email,
      principalNameIndex: row.principalNameIndex,
    }));
    sealed += await sealTable(db, stores, Device, `u.device_name NOT LIKE '${SEALED_PREFIX}%'`, (row) => ({ deviceName: row.deviceName, serialNumber: row.serialNumber }));
  }
  return sealed;
}

async function sealTable<T extends { id: string }>(
  db: DataSource,
  stores: RegionalStores,
  target: new () => T,
  legacy: string,
  fields: (sealed: T) => QueryDeepPartialEntity<T>,
): Promise<number> {
  let sealed = 0;
  let after = "";
  for (;;) {
    const rows = await db.getRepository(target).createQueryBuilder("u").where(legacy).andWhere("u.id > :after", { after }).orderBy("u.id", "ASC").limit(BATCH).getMany();
    if (rows.length === 0) return sealed;
    const copies = await sealedCopies(stores.keysOf(db), target, rows);
    await db.transaction(async (manager) => {
      for (const copy of copies) {
        // The clear values were sealed just above; the subscriber must not see them again.
        await manager.createQueryBuilder().update(target).set(fields(copy)).where("id = :id", { id: copy.id }).callListeners(false).execute();
      }
    });
    sealed += rows.length;
    after = rows[rows.length - 1]!.id;
  }
}
