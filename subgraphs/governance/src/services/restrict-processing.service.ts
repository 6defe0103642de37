import { randomUUID } from "node:crypto";
import { assertRole, BadUserInputError, ConflictError, NotFoundError, PrivacyRequestStatus, quote } from "@dgg/common";
import { In } from "typeorm";
import { PrivacyRequestRecord } from "../entities/privacy-request.entity";
import type { GovernanceContext } from "../context";
import { collectArchive, storeAndVerifyArchive } from "./archive";
import { describeHold } from "./legal-hold.service";
import { resolveSubject } from "./subject-access.service";

const OPEN_STATUSES = [PrivacyRequestStatus.RECEIVED, PrivacyRequestStatus.EXPORTING, PrivacyRequestStatus.EXPORTED, PrivacyRequestStatus.ERASING];

/**
 * restrictProcessing, as the seed defines it: export an electronic copy of the user's
 * personal data, then erase the account and associated data. The steps run in order,
 * each recorded on the request before the next begins; erasure starts only after the
 * archive was written and verified by reading it back. Runs inside the mutation call
 * (the durable, asynchronous engine is a later issue).
 */
export async function restrictProcessing(ctx: GovernanceContext, rawUserId: string, rawReason: string | null | undefined): Promise<PrivacyRequestRecord> {
  // A data subject may file for itself only; resolveSubject holds it to its own user id.
  assertRole(ctx.viewer, ["tenant-admin", "privacy-officer", "data-subject"], "restrict processing");
  const reason = rawReason == null ? null : rawReason.trim();
  if (reason !== null && reason.length > 1000) throw new BadUserInputError(`reason must be at most 1000 characters, got ${reason.length}`, "reason");
  const { userId, tenantId } = await resolveSubject(ctx, rawUserId, "restrict processing");
  const hold = await ctx.loaders.holds.load(userId);
  if (hold) throw new ConflictError(`user ${userId} is under ${describeHold(hold)}; lift the hold before restricting processing`);
  const repo = ctx.db.getRepository(PrivacyRequestRecord);
  const open = await repo.findOne({ where: { userId, status: In(OPEN_STATUSES) } });
  if (open) throw new ConflictError(`user ${userId} already has an open privacy request ${open.id} (${open.status})`);
  const tenant = await ctx.tenants.find(ctx.token, tenantId);
  if (!tenant) throw new NotFoundError(`tenant ${quote(tenantId)} of user ${userId} is not in the storage-regions directory`);

  const requestId = randomUUID();
  // Recorded before anything happens, so every request is in the audit trail even if the process dies.
  await ctx.audit.record(ctx.token, [
    {
      tenantId,
      action: "PRIVACY_REQUEST_RECEIVED",
      subjectUserId: null,
      details: { requestId, kind: "RESTRICT_PROCESSING", requestedByRole: ctx.viewer.role },
    },
  ]);
  const request = await repo.save(
    repo.create({
      id: requestId,
      userId,
      tenantId,
      status: PrivacyRequestStatus.RECEIVED,
      reason: reason || null,
      requestedBy: ctx.viewer.subject,
      region: tenant.storageRegion,
      exportLocation: null,
      exportSha256: null,
      exportByteSize: null,
      exportCounts: null,
      exportedAt: null,
      erasures: null,
      error: null,
      createdAt: ctx.clock.now(),
      completedAt: null,
    }),
  );
  try {
    await exportStep(ctx, request);
    await eraseStep(ctx, request);
  } catch (error) {
    request.status = PrivacyRequestStatus.FAILED;
    request.error = error instanceof Error ? error.message : String(error);
    await repo.save(request);
  }
  await recordOutcome(ctx, request);
  return request;
}

/**
 * The outcome entry, written as governance (it finished the work): written as a data
 * subject who erased itself, the entry would name the erased user as its actor again.
 * The request itself is already durable, so an audit outage here is logged, not thrown.
 */
async function recordOutcome(ctx: GovernanceContext, request: PrivacyRequestRecord): Promise<void> {
  await ctx.audit.record(await ctx.contract.serviceToken(), [
    {
      tenantId: request.tenantId,
      action: request.status === PrivacyRequestStatus.COMPLETED ? "PROCESSING_RESTRICTED" : "PRIVACY_REQUEST_FAILED",
      outcome: request.status === PrivacyRequestStatus.COMPLETED ? "SUCCEEDED" : "FAILED",
      // No subject: the link to the person is gone by design; the request id leads to the evidence.
      subjectUserId: null,
      details: { requestId: request.id, status: request.status },
    },
  ]).catch((error: unknown) => {
    console.error(`[governance] could not record the outcome of privacy request ${request.id}: ${String(error)}`);
  });
}

async function exportStep(ctx: GovernanceContext, request: PrivacyRequestRecord): Promise<void> {
  const repo = ctx.db.getRepository(PrivacyRequestRecord);
  request.status = PrivacyRequestStatus.EXPORTING;
  await repo.save(request);
  const archive = await collectArchive(ctx.contract, request);
  const stored = await storeAndVerifyArchive(ctx.blobs, archive);
  request.status = PrivacyRequestStatus.EXPORTED;
  request.exportLocation = stored.location;
  request.exportSha256 = stored.sha256;
  request.exportByteSize = stored.byteSize;
  request.exportCounts = stored.counts;
  request.exportedAt = ctx.clock.now();
  await repo.save(request);
}

async function eraseStep(ctx: GovernanceContext, request: PrivacyRequestRecord): Promise<void> {
  if (request.status !== PrivacyRequestStatus.EXPORTED || !request.exportSha256) {
    throw new Error(`refusing to erase user ${request.userId}: no verified export for request ${request.id}`);
  }
  const repo = ctx.db.getRepository(PrivacyRequestRecord);
  request.status = PrivacyRequestStatus.ERASING;
  await repo.save(request);
  // A fresh random pseudonym per erasure: it cannot be computed from the user id, and
  // it is stored nowhere next to the user id.
  request.erasures = await ctx.contract.erase(request.userId, request.tenantId, `pseudonym:${randomUUID()}`);
  request.status = PrivacyRequestStatus.COMPLETED;
  request.completedAt = ctx.clock.now();
  await repo.save(request);
  ctx.loaders.holdings.clear(request.userId);
}
