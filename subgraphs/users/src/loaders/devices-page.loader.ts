import type DataLoader from "dataloader";
import type { DataSource } from "typeorm";
import { createEntityPageLoader } from "@dgg/common";
import type { Connection, SubjectKeyStore, UserPageKey } from "@dgg/common";
import { Device } from "../entities/device.entity";

/** One page of one user's devices, oldest enrolment first, limited to a tenant unless the caller is the service. */
export type DevicesPageKey = UserPageKey;

/**
 * Device connections for many users in a fixed number of statements per batch (see
 * createKeysetPageLoader). Names and serials are opened with the store's subject keys
 * (`keysOf`, resolved at first use like the store itself).
 */
export function createDevicesPageLoader(db: DataSource, keysOf: () => SubjectKeyStore): DataLoader<DevicesPageKey, Connection<Device>, string> {
  return createEntityPageLoader<DevicesPageKey, Device>(db, keysOf, Device, hydrate, { user: "userId", time: "enrolledAt", order: "ASC" });
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
