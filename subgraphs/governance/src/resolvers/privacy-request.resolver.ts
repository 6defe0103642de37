import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import { PrivacyRequestStatus, toConnection } from "@dgg/common";
import type { GovernanceContext } from "../context";
import { restrictProcessing } from "../services/restrict-processing.service";
import { createExportDownload, findPrivacyRequest, listPrivacyRequests, retryPrivacyRequest } from "../services/privacy-requests.service";
import { PrivacyExportDownload, PrivacyReceipt, PrivacyRequest, PrivacyRequestConnection } from "../types/privacy-request.type";
import { toPrivacyReceipt, toPrivacyRequest } from "./privacy-request.mapper";

@Resolver(() => PrivacyRequest)
export class PrivacyRequestResolver {
  @Mutation(() => PrivacyRequest, {
    description:
      "Files a request to export an electronic copy of the user's personal data, then erase the account and associated data. Returns at once (RECEIVED); follow it with privacyRequest. A user with an open request gets that request back.",
  })
  async restrictProcessing(
    @Arg("user", () => ID) user: string,
    @Arg("reason", () => String, { nullable: true }) reason: string | null,
    @Ctx() ctx: GovernanceContext,
  ): Promise<PrivacyRequest> {
    return toPrivacyRequest(await restrictProcessing(ctx, user, reason), ctx.clock.now());
  }

  /** Visible to the admins and privacy officers of the request's tenant and to the person it concerns; the same FORBIDDEN otherwise. */
  @Query(() => PrivacyRequest, { nullable: true })
  async privacyRequest(@Arg("id", () => ID) id: string, @Ctx() ctx: GovernanceContext): Promise<PrivacyRequest> {
    const record = await findPrivacyRequest(ctx, id);
    // It says whose data was exported and erased: reading it is a read of personal data.
    await ctx.audit.record(ctx.token, [{ tenantId: record.tenantId, action: "PRIVACY_REQUEST_READ", subjectUserId: null, details: { requestId: record.id } }]);
    return toPrivacyRequest(record, ctx.clock.now());
  }

  @Query(() => PrivacyRequestConnection, { description: "A tenant's privacy requests, newest first; overdue: true lists those past their due date and not completed." })
  async privacyRequests(
    @Arg("tenantId", () => ID) tenantId: string,
    @Arg("status", () => PrivacyRequestStatus, { nullable: true }) status: PrivacyRequestStatus | null,
    @Arg("overdue", () => Boolean, { nullable: true }) overdue: boolean | null,
    @Arg("first", () => Int, { nullable: true }) first: number | null,
    @Arg("after", () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: GovernanceContext,
  ): Promise<PrivacyRequestConnection> {
    const page = await listPrivacyRequests(ctx, { tenantId, status: status ?? null, overdue: overdue ?? null, first: first ?? null, after: after ?? null });
    const connection = toConnection(page.rows, page.first, page.cursorOf, page.totalCount);
    const now = ctx.clock.now();
    return { ...connection, edges: connection.edges.map((edge) => ({ cursor: edge.cursor, node: toPrivacyRequest(edge.node, now) })) };
  }

  @Mutation(() => PrivacyRequest, { description: "Resumes a FAILED request from the step where it stopped, with a fresh set of attempts." })
  async retryPrivacyRequest(@Arg("id", () => ID) id: string, @Ctx() ctx: GovernanceContext): Promise<PrivacyRequest> {
    return toPrivacyRequest(await retryPrivacyRequest(ctx, id), ctx.clock.now());
  }

  @Mutation(() => PrivacyExportDownload, {
    description: "A short-lived link to the request's verified archive, for the tenant's admins and privacy officers and the person it concerns. Recorded in the audit trail.",
  })
  createPrivacyExportDownload(@Arg("id", () => ID) id: string, @Ctx() ctx: GovernanceContext): Promise<PrivacyExportDownload> {
    return createExportDownload(ctx, id);
  }

  @FieldResolver(() => PrivacyReceipt, { nullable: true, description: "Evidence of a completed request: what was exported and erased, when, on whose request." })
  async receipt(@Root() request: PrivacyRequest, @Ctx() ctx: GovernanceContext): Promise<PrivacyReceipt | null> {
    const record = await ctx.loaders.receipts.load(request.id);
    return record ? toPrivacyReceipt(record) : null;
  }
}
