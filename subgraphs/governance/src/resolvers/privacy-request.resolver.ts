import { Arg, Ctx, ID, Mutation, Query, Resolver } from "type-graphql";
import { assertId, assertRole, canReadPersonalData, outOfBounds } from "@dgg/common";
import type { GovernanceContext } from "../context";
import { PrivacyRequestRecord } from "../entities/privacy-request.entity";
import { restrictProcessing } from "../services/restrict-processing.service";
import { PrivacyRequest } from "../types/privacy-request.type";
import { toPrivacyRequest } from "./privacy-request.mapper";

@Resolver(() => PrivacyRequest)
export class PrivacyRequestResolver {
  @Mutation(() => PrivacyRequest, {
    description: "Exports an electronic copy of the user's personal data, then erases the account and associated data.",
  })
  async restrictProcessing(
    @Arg("user", () => ID) user: string,
    @Arg("reason", () => String, { nullable: true }) reason: string | null,
    @Ctx() ctx: GovernanceContext,
  ): Promise<PrivacyRequest> {
    return toPrivacyRequest(await restrictProcessing(ctx, user, reason));
  }

  /** Visible to the admins of the request's tenant and to the person it concerns; the same FORBIDDEN otherwise. */
  @Query(() => PrivacyRequest, { nullable: true })
  async privacyRequest(@Arg("id", () => ID) rawId: string, @Ctx() ctx: GovernanceContext): Promise<PrivacyRequest> {
    assertRole(ctx.viewer, ["tenant-admin", "privacy-officer", "data-subject"], "read privacy requests");
    const id = assertId(rawId, "id");
    const record = await ctx.db.getRepository(PrivacyRequestRecord).findOneBy({ id });
    if (!record) throw outOfBounds(ctx.viewer, `privacy request ${id}`);
    // The request outlives the person's data, so the refusal names the tenant only, never the user.
    if (!canReadPersonalData(ctx.viewer, record.tenantId, record.userId)) throw outOfBounds(ctx.viewer, `privacy request ${id}`, { tenantId: record.tenantId });
    // It says whose data was exported and erased: reading it is a read of personal data.
    await ctx.audit.record(ctx.token, [{ tenantId: record.tenantId, action: "PRIVACY_REQUEST_READ", subjectUserId: null, details: { requestId: id } }]);
    return toPrivacyRequest(record);
  }
}
