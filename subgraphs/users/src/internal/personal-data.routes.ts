import { In, LessThan } from "typeorm";
import type { DataSource } from "typeorm";
import {
  assertId,
  assertServiceIdentity,
  BadUserInputError,
  canActInTenant,
  DataCategory,
  earliestUnheld,
  exportRecord,
  holdingStats,
  keysetExportPage,
  personalDataContractRoutes,
  quote,
  sqlFreezeStore,
  storeForTenant,
} from "@dgg/common";
import type { InternalRoute, PersonalDataAdapter } from "@dgg/common";
import { Device } from "../entities/device.entity";
import { UserAccount } from "../entities/user-account.entity";
import type { UsersDeps } from "../context";

const exportAccount = (user: UserAccount) =>
  exportRecord(user, ["id", "tenantId", "userPrincipalName", "displayName", "email", "managementState", "removedAt", "createdAt"]);

/** What the archive keeps of each device. */
const DEVICE_FIELDS = ["id", "userId", "deviceName", "operatingSystem", "serialNumber", "enrolledAt"] as const;

/** The users subgraph's side of the internal personal-data contract (ACCOUNT, SERVICE_DATA). */
export function usersPersonalData(): PersonalDataAdapter {
  return {
    name: "users",
    categories: [DataCategory.ACCOUNT, DataCategory.SERVICE_DATA],
    subjectSources: ["SELECT id AS subject, tenant_id AS tenant FROM user_account", "SELECT user_id AS subject, tenant_id AS tenant FROM device"],
    freezes: sqlFreezeStore,
    async holdings({ tenantId, db }, userId) {
      // Counting what is held opens nothing: the account's sealed fields are not read, so no
      // key is looked up and nothing is deciphered on a path every personalData read takes.
      const user = await db.getRepository(UserAccount).findOne({ select: { id: true, tenantId: true, createdAt: true, removedAt: true }, where: { id: userId, tenantId } });
      const devices = await holdingStats(
        db.getRepository(Device).createQueryBuilder("d").where("d.user_id = :userId AND d.tenant_id = :tenantId", { userId, tenantId }),
        "d",
        "enrolled_at",
      );
      return {
        tenantId: user?.tenantId ?? devices.tenantId,
        removedAt: user?.removedAt?.toISOString() ?? null,
        categories: [
          { category: DataCategory.ACCOUNT, records: user ? 1 : 0, oldestAt: user?.createdAt.toISOString() ?? null },
          { category: DataCategory.SERVICE_DATA, records: devices.records, oldestAt: devices.oldestAt },
        ],
      };
    },
    async exportPage({ tenantId, db }, userId, category, after, limit) {
      if (category === DataCategory.ACCOUNT) {
        const user = await db.getRepository(UserAccount).findOneBy({ id: userId, tenantId });
        return { category: DataCategory.ACCOUNT, records: user ? [exportAccount(user)] : [], nextCursor: null };
      }
      const qb = db.getRepository(Device).createQueryBuilder("d").where("d.user_id = :userId AND d.tenant_id = :tenantId", { userId, tenantId });
      return keysetExportPage(qb, { alias: "d", time: { column: "enrolled_at", field: "enrolledAt" }, fields: DEVICE_FIELDS, category: DataCategory.SERVICE_DATA, after, limit });
    },
    async erase({ tenantId, db }, userId) {
      // Idempotent: a second call finds nothing and reports zeros.
      return db.transaction(async (manager) => {
        const removedDevices = await manager.delete(Device, { userId, tenantId });
        const removedAccounts = await manager.delete(UserAccount, { id: userId, tenantId });
        return [
          { category: DataCategory.ACCOUNT, count: removedAccounts.affected ?? 0 },
          { category: DataCategory.SERVICE_DATA, count: removedDevices.affected ?? 0 },
        ];
      });
    },
    async oldest(stores, tenantId, exclude) {
      // Held users are not erased at day 30, so they do not set the next purge date.
      const removed = (db: DataSource) => db.getRepository(UserAccount).createQueryBuilder("u").where("u.removed_at IS NOT NULL");
      const oldestAt = await earliestUnheld(stores, { rows: removed, alias: "u", timeColumn: "removed_at", notExcluded: "u.id NOT IN (:...exclude)" }, tenantId, exclude);
      return [
        { category: DataCategory.ACCOUNT, oldestAt },
        { category: DataCategory.SERVICE_DATA, oldestAt },
      ];
    },
    async identifiers({ tenantId, db }, userId) {
      const user = await db.getRepository(UserAccount).findOneBy({ id: userId, tenantId });
      // With the user and tenant: the sealed name and serial open under the user's key.
      const devices = await db.getRepository(Device).find({
        select: { userId: true, tenantId: true, deviceName: true, serialNumber: true },
        where: { userId, tenantId },
        order: { id: "ASC" },
      });
      // Device names are free text an admin types, often "<name>'s iPhone": they name the person too.
      const values = [user?.userPrincipalName, user?.email, user?.displayName, ...devices.flatMap((device) => [device.serialNumber, device.deviceName])];
      return [...new Set(values.filter((value): value is string => typeof value === "string" && value !== ""))];
    },
  };
}

/** The contract routes from the adapter, plus the users subgraph's own internal routes. */
export function personalDataRoutes(deps: UsersDeps): InternalRoute[] {
  const tenantStore = (tenantId: unknown, token: string) => storeForTenant(deps.stores, deps.regions, tenantId, token);
  return [
    ...personalDataContractRoutes(usersPersonalData(), deps),
    {
      // Which tenant holds a user id, searched across every region: governance asks only to
      // address the access audit of a refused attempt to the right tenant.
      method: "get",
      path: "/users/:userId/owner",
      async handler({ viewer, params }): Promise<{ tenantId: string | null }> {
        assertServiceIdentity(viewer);
        const userId = assertId(params.userId!, "userId");
        for (const [, db] of deps.stores.entries()) {
          const user = await db.getRepository(UserAccount).findOne({ select: { id: true, tenantId: true }, where: { id: userId } });
          if (user) return { tenantId: user.tenantId };
        }
        return { tenantId: null };
      },
    },
    {
      method: "get",
      path: "/retention/removed-users",
      async handler({ viewer, query }): Promise<{ users: { userId: string; tenantId: string }[] }> {
        assertServiceIdentity(viewer);
        const before = new Date(String(query.before));
        if (Number.isNaN(before.getTime())) throw new BadUserInputError(`before must be an ISO time, got ${quote(query.before)}`, "before");
        const users: { userId: string; tenantId: string }[] = [];
        // Each region's store answers for its own tenants.
        for (const [, db] of deps.stores.entries()) {
          const rows = await db
            .getRepository(UserAccount)
            .find({ select: { id: true, tenantId: true }, where: { removedAt: LessThan(before) }, order: { removedAt: "ASC" } });
          users.push(...rows.map((row) => ({ userId: row.id, tenantId: row.tenantId })));
        }
        return { users };
      },
    },
    {
      // Telemetry asks which of an ingest batch's users exist in the caller's tenant.
      method: "post",
      path: "/users/lookup",
      access: "forwarded",
      async handler({ viewer, body, token }): Promise<{ users: { id: string; tenantId: string; managementState: string }[] }> {
        const ids = (body as { ids?: unknown }).ids;
        if (!Array.isArray(ids) || ids.some((id) => typeof id !== "string")) throw new BadUserInputError("ids must be a list of strings", "ids");
        // Only the caller's own tenant can match, so only its region's store is asked.
        if (!viewer.tenantId) return { users: [] };
        const { tenantId, db } = await tenantStore(viewer.tenantId, token);
        const rows =
          ids.length === 0
            ? []
            : await db.getRepository(UserAccount).find({ select: { id: true, tenantId: true, managementState: true }, where: { id: In(ids as string[]), tenantId } });
        return {
          users: rows
            .filter((user) => canActInTenant(viewer, user.tenantId))
            .map((user) => ({ id: user.id, tenantId: user.tenantId, managementState: user.managementState })),
        };
      },
    },
  ];
}
