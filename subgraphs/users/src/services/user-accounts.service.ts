import { randomUUID } from "node:crypto";
import {
  assertId,
  assertMayCall,
  assertText,
  BadUserInputError,
  blindIndex,
  canActInTenant,
  ConflictError,
  ManagementState,
  NotFoundError,
  outOfBounds,
  quote,
  refuseFrozen,
  writeThenAudit,
} from "@dgg/common";
import { Device } from "../entities/device.entity";
import { UserAccount } from "../entities/user-account.entity";
import type { UsersContext } from "../context";
import type { CreateUserInput } from "../inputs/create-user.input";
import type { EnrollDeviceInput } from "../inputs/enroll-device.input";

const PRINCIPAL_NAME = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

/**
 * Finds a user the viewer may act on. An unknown id and a user of another tenant get
 * the same FORBIDDEN for tenant-scoped viewers, so nothing about other tenants leaks;
 * NOT_FOUND is reserved for callers who could have seen the user.
 */
export async function findUserForViewer(ctx: UsersContext, rawId: string, argument: string): Promise<UserAccount> {
  const id = assertId(rawId, argument);
  const user = await ctx.loaders.user.load(id);
  if (user && canActInTenant(ctx.viewer, user.tenantId)) return user;
  if (ctx.viewer.role === "service" && !user) throw new NotFoundError(`no user with id ${quote(id)}`);
  // The refusal is the same either way; only the access audit learns whose user it was.
  const owner = user ?? (await ownerElsewhere(ctx, id));
  throw outOfBounds(ctx.viewer, `user ${id}`, owner ? { tenantId: owner.tenantId, userId: owner.id } : {});
}

/**
 * On a refusal only: the user of another tenant may live in another region's store. Its
 * tenant is looked up there so that tenant's admins see the attempt in their audit trail.
 */
async function ownerElsewhere(ctx: UsersContext, id: string): Promise<UserAccount | null> {
  for (const [, db] of ctx.stores.entries()) {
    if (db === ctx.db) continue;
    const user = await db.getRepository(UserAccount).findOne({ select: { id: true, tenantId: true }, where: { id } });
    if (user) return user;
  }
  return null;
}

/** Principal names are sealed: rows are found by the tenant-keyed blind index of the lower-cased name. */
function principalNameIndex(ctx: UsersContext, tenantId: string, name: string): string {
  return blindIndex(ctx.stores.keysOf(ctx.db).indexKey(tenantId), name);
}

/** Searches the caller's tenant only, so a name elsewhere is NOT_FOUND like a name nobody has. */
export async function userByPrincipalName(ctx: UsersContext, principalName: string): Promise<UserAccount> {
  assertMayCall(ctx.viewer, "userByPrincipalName", "look users up by principal name");
  const name = assertText(principalName, "userPrincipalName", 320).toLowerCase();
  const tenantId = ctx.viewer.tenantId!;
  const user = await ctx.db.getRepository(UserAccount).findOneBy({ tenantId, principalNameIndex: principalNameIndex(ctx, tenantId, name) });
  if (!user) throw new NotFoundError(`no user with principal name ${quote(name)} in tenant ${ctx.viewer.tenantId}`);
  // An account is personal data: the read is on the record before it leaves.
  await ctx.audit.record(ctx.token, [
    { tenantId: user.tenantId, action: "PERSONAL_DATA_READ", subjectUserId: user.id, details: { operation: "userByPrincipalName" } },
  ]);
  return user;
}

export async function createUser(ctx: UsersContext, input: CreateUserInput): Promise<UserAccount> {
  assertMayCall(ctx.viewer, "createUser", "create users");
  const tenantId = assertId(input.tenantId, "input.tenantId");
  if (!canActInTenant(ctx.viewer, tenantId)) throw outOfBounds(ctx.viewer, `tenant ${tenantId}`, { tenantId });
  const principalName = assertText(input.userPrincipalName, "input.userPrincipalName", 320).toLowerCase();
  if (!PRINCIPAL_NAME.test(principalName)) {
    throw new BadUserInputError(
      `input.userPrincipalName must look like name@domain, got ${quote(input.userPrincipalName)}`,
      "input.userPrincipalName",
    );
  }
  const displayName = assertText(input.displayName, "input.displayName", 256);
  if (!(await ctx.tenants.find(ctx.token, tenantId))) throw new NotFoundError(`no tenant with id ${quote(tenantId)}`);
  const repo = ctx.db.getRepository(UserAccount);
  const nameIndex = principalNameIndex(ctx, tenantId, principalName);
  if (await repo.existsBy({ tenantId, principalNameIndex: nameIndex })) {
    throw new ConflictError(`a user with principal name ${quote(principalName)} already exists in tenant ${tenantId}`);
  }
  const user = repo.create({
    id: randomUUID(),
    tenantId,
    userPrincipalName: principalName,
    principalNameIndex: nameIndex,
    displayName,
    email: input.email ?? null,
    managementState: ManagementState.MANAGED,
    removedAt: null,
    createdAt: ctx.clock.now(),
  });
  return writeThenAudit({
    write: async () => {
      try {
        return await repo.save(user);
      } catch (error) {
        // A concurrent create with the same name lost the race on the unique index.
        if (await repo.existsBy({ tenantId, principalNameIndex: nameIndex })) {
          throw new ConflictError(`a user with principal name ${quote(principalName)} already exists in tenant ${tenantId}`);
        }
        throw error;
      }
    },
    entries: (saved) => [
      // The subject's id says who; the name stays in the (sealed) account only, not in the trail.
      { tenantId, action: "USER_CREATED", subjectUserId: saved.id },
    ],
    undo: (saved) => repo.delete({ id: saved.id }),
    audit: ctx.audit,
    token: ctx.token,
  });
}

export async function enrollDevice(ctx: UsersContext, input: EnrollDeviceInput): Promise<Device> {
  assertMayCall(ctx.viewer, "enrollDevice", "enroll devices");
  const user = await findUserForViewer(ctx, input.userId, "input.userId");
  if (user.managementState === ManagementState.REMOVED) {
    throw new ConflictError(`user ${user.id} was removed from management and cannot enroll devices`);
  }
  const repo = ctx.db.getRepository(Device);
  const device = repo.create({
    id: randomUUID(),
    userId: user.id,
    tenantId: user.tenantId,
    deviceName: assertText(input.deviceName, "input.deviceName", 256),
    operatingSystem: assertText(input.operatingSystem, "input.operatingSystem", 128),
    serialNumber: input.serialNumber == null ? null : assertText(input.serialNumber, "input.serialNumber", 128),
    enrolledAt: ctx.clock.now(),
  });
  return writeThenAudit({
    // A frozen user (GDPR Art. 18) gets no new device: checked in the transaction that writes it.
    write: () =>
      ctx.db.transaction(async (manager) => {
        await refuseFrozen(manager, [user.id]);
        return manager.getRepository(Device).save(device);
      }),
    entries: (saved) => [
      { tenantId: user.tenantId, action: "DEVICE_ENROLLED", subjectUserId: user.id, details: { deviceId: saved.id } },
    ],
    undo: (saved) => repo.delete({ id: saved.id }),
    audit: ctx.audit,
    token: ctx.token,
  });
}

/** Starts the 30-day clock. Removing a removed user again is a CONFLICT, not a silent clock reset. */
export async function removeUserFromManagement(ctx: UsersContext, userId: string): Promise<UserAccount> {
  assertMayCall(ctx.viewer, "removeUserFromManagement", "remove users from management");
  const user = await findUserForViewer(ctx, userId, "user");
  if (user.managementState === ManagementState.REMOVED) {
    throw new ConflictError(`user ${user.id} was already removed from management at ${user.removedAt?.toISOString()}`);
  }
  const repo = ctx.db.getRepository(UserAccount);
  const removedAt = ctx.clock.now();
  return writeThenAudit({
    // A frozen user's account stays as it is until the privacy request ends.
    write: () =>
      ctx.db.transaction(async (manager) => {
        await refuseFrozen(manager, [user.id]);
        await manager.getRepository(UserAccount).update({ id: user.id }, { managementState: ManagementState.REMOVED, removedAt });
        return { ...user, managementState: ManagementState.REMOVED, removedAt };
      }),
    entries: () => [{ tenantId: user.tenantId, action: "USER_REMOVED_FROM_MANAGEMENT", subjectUserId: user.id }],
    undo: () => repo.update({ id: user.id }, { managementState: ManagementState.MANAGED, removedAt: null }),
    audit: ctx.audit,
    token: ctx.token,
  });
}
