import DataLoader from "dataloader";
import type { DataSource } from "typeorm";
import { decodeCursor, encodeCursor, openEntity, toConnection } from "@dgg/common";
import type { SubjectKeyStore } from "@dgg/common";
import { Device } from "../entities/device.entity";
import type { DeviceConnection } from "../types/device-connection.type";

/** One page of one user's devices, limited to a tenant unless the caller is the service. */
export interface DevicesPageKey {
  userId: string;
  tenantId: string | null;
  first: number;
  after: string | null;
}

const groupOf = (key: DevicesPageKey) => `${key.first}|${key.after ?? ""}|${key.tenantId ?? ""}`;
const cursorOf = (device: Device) => encodeCursor([device.enrolledAt.getTime(), device.id]);

/**
 * Device connections for many users in two statements per batch, whatever the number
 * of devices: one grouped COUNT, one windowed page query (ROW_NUMBER per user).
 * Keys that share page arguments share the page query. Names and serials are opened with
 * the store's subject keys (`keysOf`, resolved at first use like the store itself).
 */
export function createDevicesPageLoader(db: DataSource, keysOf: () => SubjectKeyStore): DataLoader<DevicesPageKey, DeviceConnection, string> {
  return new DataLoader(
    async (keys) => {
      const userIds = [...new Set(keys.map((key) => key.userId))];
      const tenantIds = [...new Set(keys.map((key) => key.tenantId))];
      const counts = await countDevices(db, userIds, tenantIds);
      const pages = new Map<string, Device[]>();
      const groups = new Map<string, DevicesPageKey[]>();
      for (const key of keys) {
        const group = groupOf(key);
        groups.set(group, [...(groups.get(group) ?? []), key]);
      }
      for (const [group, members] of groups) {
        const rows = await pageDevices(db, keysOf(), members.map((key) => key.userId), members[0]!);
        // Pages are filed per group and user: the same user asked twice with other arguments gets two pages.
        for (const row of rows) pages.set(`${group}|${row.userId}`, [...(pages.get(`${group}|${row.userId}`) ?? []), row]);
      }
      return keys.map((key) =>
        toConnection(pages.get(`${groupOf(key)}|${key.userId}`) ?? [], key.first, cursorOf, counts.get(`${key.userId}|${key.tenantId ?? ""}`) ?? 0),
      );
    },
    { cacheKeyFn: (key) => JSON.stringify([key.userId, key.tenantId, key.first, key.after]) },
  );
}

async function countDevices(db: DataSource, userIds: string[], tenantIds: (string | null)[]): Promise<Map<string, number>> {
  const rows: { user_id: string; tenant_id: string; total: string | number }[] = await db
    .getRepository(Device)
    .createQueryBuilder("d")
    .select("d.user_id", "user_id")
    .addSelect("d.tenant_id", "tenant_id")
    .addSelect("COUNT(*)", "total")
    .where("d.user_id IN (:...userIds)", { userIds })
    .groupBy("d.user_id")
    .addGroupBy("d.tenant_id")
    .getRawMany();
  const counts = new Map<string, number>();
  for (const row of rows) {
    for (const tenantId of tenantIds) {
      if (tenantId !== null && tenantId !== row.tenant_id) continue;
      const key = `${row.user_id}|${tenantId ?? ""}`;
      counts.set(key, (counts.get(key) ?? 0) + Number(row.total));
    }
  }
  return counts;
}

async function pageDevices(db: DataSource, keys: SubjectKeyStore, userIds: string[], page: DevicesPageKey): Promise<Device[]> {
  const inner = db
    .getRepository(Device)
    .createQueryBuilder("d")
    .select("d.*")
    .addSelect("ROW_NUMBER() OVER (PARTITION BY d.user_id ORDER BY d.enrolled_at ASC, d.id ASC)", "rn")
    .where("d.user_id IN (:...userIds)", { userIds });
  if (page.tenantId) inner.andWhere("d.tenant_id = :tenantId", { tenantId: page.tenantId });
  const cursor = decodeCursor(page.after, ["number", "string"]);
  if (cursor) {
    const [at, id] = cursor as [number, string];
    inner.andWhere("(d.enrolled_at > :at OR (d.enrolled_at = :at AND d.id > :id))", { at, id });
  }
  const raw: Record<string, unknown>[] = await db
    .createQueryBuilder()
    .select("p.*")
    .from(`(${inner.getQuery()})`, "p")
    .where("p.rn <= :limit", { limit: page.first + 1 })
    .orderBy("p.enrolled_at", "ASC")
    .addOrderBy("p.id", "ASC")
    .setParameters({ ...inner.getParameters(), limit: page.first + 1 })
    .getRawMany();
  return raw.map((row) => openEntity(keys, Device, db.getRepository(Device).create(hydrate(row))));
}

/** Raw rows carry column names and driver types; map them onto entity properties. */
function hydrate(row: Record<string, unknown>): Partial<Device> {
  return {
    id: String(row.id),
    userId: String(row.user_id),
    tenantId: String(row.tenant_id),
    deviceName: String(row.device_name),
    operatingSystem: String(row.operating_system),
    serialNumber: typeof row.serial_number === "string" ? row.serial_number : null,
    enrolledAt: new Date(Number(row.enrolled_at)),
  };
}
