import type { DataSource } from "typeorm";

/** Every row of every table of a store, as a backup would hold it. */
export type StoreSnapshot = { target: Function | string; rows: unknown[] }[];

/** Takes a logical backup of a store (all rows of all its entities). */
export async function snapshotStore(db: DataSource): Promise<StoreSnapshot> {
  const snapshot: StoreSnapshot = [];
  for (const entity of db.entityMetadatas) snapshot.push({ target: entity.target, rows: await db.getRepository(entity.target).find() });
  return snapshot;
}

/** Restores a backup over the live store: every table emptied, then refilled from the snapshot. */
export async function restoreStore(db: DataSource, snapshot: StoreSnapshot): Promise<void> {
  for (const { target, rows } of snapshot) {
    const repository = db.getRepository(target);
    await repository.createQueryBuilder().delete().execute();
    for (let i = 0; i < rows.length; i += 200) await repository.insert(rows.slice(i, i + 200) as never);
  }
}
