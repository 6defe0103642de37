import { In, LessThan } from "typeorm";
import {
  assertId,
  assertServiceIdentity,
  BadUserInputError,
  canActInTenant,
  DataCategory,
  decodeCursor,
  encodeCursor,
  EXPORT_PAGE_LIMIT,
  quote,
  personalDataSubjectsRoute,
} from "@dgg/common";
import type { ErasureResult, ExportPage, InternalRoute, PersonalDataHoldings, RetentionClockStarts } from "@dgg/common";
import { Device } from "../entities/device.entity";
import { UserAccount } from "../entities/user-account.entity";
import type { UsersDeps } from "../context";

function exportAccount(user: UserAccount): Record<string, unknown> {
  return {
    id: user.id,
    tenantId: user.tenantId,
    userPrincipalName: user.userPrincipalName,
    displayName: user.displayName,
    email: user.email,
    managementState: user.managementState,
    removedAt: user.removedAt?.toISOString() ?? null,
    createdAt: user.createdAt.toISOString(),
  };
}

function exportDevice(device: Device): Record<string, unknown> {
  return {
    id: device.id,
    userId: device.userId,
    deviceName: device.deviceName,
    operatingSystem: device.operatingSystem,
    serialNumber: device.serialNumber,
    enrolledAt: device.enrolledAt.toISOString(),
  };
}

function parseLimit(raw: string | undefined): number {
  const limit = raw === undefined ? EXPORT_PAGE_LIMIT : Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > EXPORT_PAGE_LIMIT) {
    throw new BadUserInputError(`limit must be 1..${EXPORT_PAGE_LIMIT}, got ${quote(raw)}`, "limit");
  }
  return limit;
}

/** The users subgraph's side of the internal personal-data contract (ACCOUNT, SERVICE_DATA). */
export function personalDataRoutes(deps: UsersDeps): InternalRoute[] {
  const users = () => deps.db.getRepository(UserAccount);
  const devices = () => deps.db.getRepository(Device);
  return [
    // Every user id held here, for the erasure-ledger replay (packages/common/src/personal-data-contract.ts).
    personalDataSubjectsRoute(() => deps.db, ["SELECT id AS subject FROM user_account", "SELECT user_id AS subject FROM device"]),
    {
      method: "get",
      path: "/personal-data/:userId",
      async handler({ viewer, params }): Promise<PersonalDataHoldings> {
        assertServiceIdentity(viewer);
        const userId = assertId(params.userId!, "userId");
        const user = await users().findOneBy({ id: userId });
        const stats: { total: string | number; oldest: string | number | null; tenant_id: string | null } | undefined = await devices()
          .createQueryBuilder("d")
          .select("COUNT(*)", "total")
          .addSelect("MIN(d.enrolled_at)", "oldest")
          .addSelect("MAX(d.tenant_id)", "tenant_id")
          .where("d.user_id = :userId", { userId })
          .getRawOne();
        const deviceCount = Number(stats?.total ?? 0);
        return {
          userId,
          tenantId: user?.tenantId ?? stats?.tenant_id ?? null,
          removedAt: user?.removedAt?.toISOString() ?? null,
          categories: [
            { category: DataCategory.ACCOUNT, records: user ? 1 : 0, oldestAt: user?.createdAt.toISOString() ?? null },
            {
              category: DataCategory.SERVICE_DATA,
              records: deviceCount,
              oldestAt: stats?.oldest == null ? null : new Date(Number(stats.oldest)).toISOString(),
            },
          ],
        };
      },
    },
    {
      method: "get",
      path: "/personal-data/:userId/export",
      async handler({ viewer, params, query }): Promise<ExportPage> {
        assertServiceIdentity(viewer);
        const userId = assertId(params.userId!, "userId");
        const limit = parseLimit(query.limit);
        if (query.category === DataCategory.ACCOUNT) {
          const user = await users().findOneBy({ id: userId });
          return { category: DataCategory.ACCOUNT, records: user ? [exportAccount(user)] : [], nextCursor: null };
        }
        if (query.category !== DataCategory.SERVICE_DATA) {
          throw new BadUserInputError(`users holds ACCOUNT and SERVICE_DATA, not ${quote(query.category)}`, "category");
        }
        const qb = devices()
          .createQueryBuilder("d")
          .where("d.user_id = :userId", { userId })
          .orderBy("d.enrolled_at", "ASC")
          .addOrderBy("d.id", "ASC")
          .take(limit + 1);
        const cursor = decodeCursor(query.after, ["number", "string"]);
        if (cursor) {
          const [at, id] = cursor as [number, string];
          qb.andWhere("(d.enrolled_at > :at OR (d.enrolled_at = :at AND d.id > :id))", { at, id });
        }
        const rows = await qb.getMany();
        const page = rows.slice(0, limit);
        const last = page[page.length - 1];
        return {
          category: DataCategory.SERVICE_DATA,
          records: page.map(exportDevice),
          nextCursor: rows.length > limit && last ? encodeCursor([last.enrolledAt.getTime(), last.id]) : null,
        };
      },
    },
    {
      method: "post",
      path: "/personal-data/:userId/erase",
      async handler({ viewer, params }): Promise<ErasureResult> {
        assertServiceIdentity(viewer);
        const userId = assertId(params.userId!, "userId");
        // Idempotent: a second call finds nothing and reports zeros.
        return deps.db.transaction(async (manager) => {
          const removedDevices = await manager.delete(Device, { userId });
          const removedAccounts = await manager.delete(UserAccount, { id: userId });
          return {
            erased: [
              { category: DataCategory.ACCOUNT, count: removedAccounts.affected ?? 0 },
              { category: DataCategory.SERVICE_DATA, count: removedDevices.affected ?? 0 },
            ],
          };
        });
      },
    },
    {
      method: "get",
      path: "/retention/removed-users",
      async handler({ viewer, query }): Promise<{ userIds: string[] }> {
        assertServiceIdentity(viewer);
        const before = new Date(String(query.before));
        if (Number.isNaN(before.getTime())) throw new BadUserInputError(`before must be an ISO time, got ${quote(query.before)}`, "before");
        const rows = await users().find({ select: { id: true }, where: { removedAt: LessThan(before) }, order: { removedAt: "ASC" } });
        return { userIds: rows.map((row) => row.id) };
      },
    },
    {
      method: "get",
      path: "/retention/oldest",
      async handler({ viewer, query }): Promise<RetentionClockStarts> {
        assertServiceIdentity(viewer);
        const qb = users().createQueryBuilder("u").select("MIN(u.removed_at)", "oldest").where("u.removed_at IS NOT NULL");
        if (query.tenantId) qb.andWhere("u.tenant_id = :tenantId", { tenantId: assertId(query.tenantId, "tenantId") });
        const row: { oldest: string | number | null } | undefined = await qb.getRawOne();
        const oldestAt = row?.oldest == null ? null : new Date(Number(row.oldest)).toISOString();
        return {
          oldest: [
            { category: DataCategory.ACCOUNT, oldestAt },
            { category: DataCategory.SERVICE_DATA, oldestAt },
          ],
        };
      },
    },
    {
      // Telemetry asks which of an ingest batch's users exist in the caller's tenant.
      method: "post",
      path: "/users/lookup",
      async handler({ viewer, body }): Promise<{ users: { id: string; tenantId: string; managementState: string }[] }> {
        const ids = (body as { ids?: unknown }).ids;
        if (!Array.isArray(ids) || ids.some((id) => typeof id !== "string")) throw new BadUserInputError("ids must be a list of strings", "ids");
        const rows = ids.length === 0 ? [] : await users().findBy({ id: In(ids as string[]) });
        return {
          users: rows
            .filter((user) => canActInTenant(viewer, user.tenantId))
            .map((user) => ({ id: user.id, tenantId: user.tenantId, managementState: user.managementState })),
        };
      },
    },
  ];
}
