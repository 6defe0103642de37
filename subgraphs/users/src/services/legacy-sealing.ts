import { SEALED_PREFIX } from "@dgg/common";
import type { RegionalStores } from "@dgg/common";
import { Device } from "../entities/device.entity";
import { UserAccount } from "../entities/user-account.entity";

const BATCH = 500;

/**
 * Seals accounts and devices written before content was sealed (docs/decisions/0044): each
 * row is loaded (clear values pass through) and saved again, which seals it and fills the
 * principal name's blind index, without which the account could not be found by name. Runs
 * at start-up; with nothing left to seal it is one indexed query per table and region.
 */
export async function sealLegacyRows(stores: RegionalStores): Promise<number> {
  let sealed = 0;
  for (const [, db] of stores.entries()) {
    for (;;) {
      const users = await db.getRepository(UserAccount).createQueryBuilder("u").where("u.principal_name_index IS NULL").limit(BATCH).getMany();
      if (users.length === 0) break;
      await db.transaction((manager) => manager.getRepository(UserAccount).save(users));
      sealed += users.length;
    }
    for (;;) {
      const devices = await db
        .getRepository(Device)
        .createQueryBuilder("d")
        .where("d.device_name NOT LIKE :sealed", { sealed: `${SEALED_PREFIX}%` })
        .limit(BATCH)
        .getMany();
      if (devices.length === 0) break;
      await db.transaction((manager) => manager.getRepository(Device).save(devices));
      sealed += devices.length;
    }
  }
  return sealed;
}
