import { Arg, Args, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import { PrivacyRequestKind, PrivacyRequestStatus, toConnection } from "@dgg/common";
import type { GovernanceContext } from "../context";
import { filePrivacyRequest } from "../privacy/requests/file-privacy-request.service";
import { approvePrivacyRequest, cancelPrivacyRequest, denyPrivacyRequest, extendPrivacyRequestDeadline } from "../privacy/requests/privacy-decisions.service";
import { historyPage } from "../privacy/requests/privacy-request-history.service";
import { readPrivacyRequestPolicy, setPrivacyRequestPolicy } from "../privacy/requests/privacy-request-policy.service";
import { createExportDownload, findPrivacyRequest, listPrivacyRequests, retryPrivacyRequest } from "../privacy/requests/privacy-requests.service";
import {
  PrivacyExportDownload,
  PrivacyReceipt,
  PrivacyRequest,
  PrivacyRequestConnection,
  PrivacyRequestEventConnection,
  PrivacyRequestPolicy,
  PrivacyRequestPolicyInput,
} from "../privacy/requests/privacy-request.type";
import { toPrivacyReceipt, toPrivacyRequest } from "../privacy/requests/privacy-request.mapper";
import { UserReasonArgs } from "./user-reason.args";

@Resolver(() => PrivacyRequest)
export class PrivacyRequestResolver {
  @Mutation(() => PrivacyRequest, {
    description:
      "Files a request to export an electronic copy of the user's personal data, then erase the account and associated data. Returns at once (RECEIVED); follow it with privacyRequest. A user with an open request gets that request back.",
  })
  async restrictProcessing(@Args() { user, reason }: UserReasonArgs, @Ctx() ctx: GovernanceContext): Promise<PrivacyRequest> {
    return toPrivacyRequest(await filePrivacyRequest(ctx, PrivacyRequestKind.RESTRICT_PROCESSING, user, reason), ctx.clock.now());
  }

  @Mutation(() => PrivacyRequest, {
    description: "Files a request for an electronic copy of the user's personal data (right of access / portability). Nothing is erased.",
  })
  async requestPersonalDataExport(@Args() { user, reason }: UserReasonArgs, @Ctx() ctx: GovernanceContext): Promise<PrivacyRequest> {
    return toPrivacyRequest(await filePrivacyRequest(ctx, PrivacyRequestKind.ACCESS, user, reason), ctx.clock.now());
  }

  @Mutation(() => PrivacyRequest, { description: "Lets a request AWAITING_APPROVAL run. Four eyes: an admin or privacy officer of the tenant who did not file it." })
  async approvePrivacyRequest(@Arg("id", () => ID) id: string, @Ctx() ctx: GovernanceContext): Promise<PrivacyRequest> {
    return toPrivacyRequest(await approvePrivacyRequest(ctx, id), ctx.clock.now());
  }

  @Mutation(() => PrivacyRequest, { description: "Refuses a request AWAITING_APPROVAL, with a reason. Nothing is exported or erased; a restriction's freeze is lifted." })
  async denyPrivacyRequest(@Arg("id", () => ID) id: string, @Arg("reason", () => String) reason: string, @Ctx() ctx: GovernanceContext): Promise<PrivacyRequest> {
    return toPrivacyRequest(await denyPrivacyRequest(ctx, id, reason), ctx.clock.now());
  }

  @Mutation(() => PrivacyRequest, {
    description: "Withdraws a request until its erasure begins, with a reason: by its requester, the tenant's admins and privacy officers, or the person it is about. Nothing is erased; a restriction's freeze is lifted.",
  })
  async cancelPrivacyRequest(@Arg("id", () => ID) id: string, @Arg("reason", () => String) reason: string, @Ctx() ctx: GovernanceContext): Promise<PrivacyRequest> {
    return toPrivacyRequest(await cancelPrivacyRequest(ctx, id, reason), ctx.clock.now());
  }

  @Mutation(() => PrivacyRequest, { description: "Moves an unfinished request's due date by days (at most 60 in all), with a reason (GDPR Art. 12(3))." })
  async extendPrivacyRequestDeadline(
    @Arg("id", () => ID) id: string,
    @Arg("days", () => Int) days: number,
    @Arg("reason", () => String) reason: string,
    @Ctx() ctx: GovernanceContext,
  ): Promise<PrivacyRequest> {
    return toPrivacyRequest(await extendPrivacyRequestDeadline(ctx, id, days, reason), ctx.clock.now());
  }

  @Query(() => PrivacyRequestPolicy, { description: "The tenant's approval rules for privacy requests; both false until set." })
  privacyRequestPolicy(@Arg("tenantId", () => ID) tenantId: string, @Ctx() ctx: GovernanceContext): Promise<PrivacyRequestPolicy> {
    return readPrivacyRequestPolicy(ctx, tenantId);
  }

  @Mutation(() => PrivacyRequestPolicy, { description: "Sets which kinds of request need a second person's approval; applies to requests filed from now on." })
  setPrivacyRequestPolicy(
    @Arg("tenantId", () => ID) tenantId: string,
    @Arg("input", () => PrivacyRequestPolicyInput) input: PrivacyRequestPolicyInput,
    @Ctx() ctx: GovernanceContext,
  ): Promise<PrivacyRequestPolicy> {
    return setPrivacyRequestPolicy(ctx, tenantId, input);
  }

  /** Visible to the admins and privacy officers of the request's tenant and to the person it concerns; the same FORBIDDEN otherwise. */
  @Query(() => PrivacyRequest, { nullable: true })
  async privacyRequest(@Arg("id", () => ID) id: string, @Ctx() ctx: GovernanceContext): Promise<PrivacyRequest> {
    const record = await findPrivacyRequest(ctx, id);
    // It says whose data was exported and erased: reading it is a read of personal data.
    await ctx.audit.record(ctx.token, [{ tenantId: record.tenantId, action: "PRIVACY_REQUEST_READ", subjectUserId: null, details: { requestId: record.id } }]);
    return toPrivacyRequest(record, ctx.clock.now());
  }

  @Query(() => PrivacyRequestConnection, { description: "A tenant's privacy requests, newest first; overdue: true lists those past their due date and not finished." })
  async privacyRequests(
    @Arg("tenantId", () => ID) tenantId: string,
    @Arg("status", () => PrivacyRequestStatus, { nullable: true }) status: PrivacyRequestStatus | null,
    @Arg("kind", () => PrivacyRequestKind, { nullable: true }) kind: PrivacyRequestKind | null,
    @Arg("overdue", () => Boolean, { nullable: true }) overdue: boolean | null,
    @Arg("first", () => Int, { nullable: true }) first: number | null,
    @Arg("after", () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: GovernanceContext,
  ): Promise<PrivacyRequestConnection> {
    const page = await listPrivacyRequests(ctx, { tenantId, status: status ?? null, kind: kind ?? null, overdue: overdue ?? null, first: first ?? null, after: after ?? null });
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

  @FieldResolver(() => PrivacyRequestEventConnection, { description: "Every decision and step of the request, oldest first, with its actor." })
  async history(
    @Root() request: PrivacyRequest,
    @Arg("first", () => Int, { nullable: true, defaultValue: 50 }) first: number | null,
    @Arg("after", () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: GovernanceContext,
  ): Promise<PrivacyRequestEventConnection> {
    const page = await historyPage(ctx.db, request.id, first, after ?? null);
    const connection = toConnection(page.rows, page.first, page.cursorOf, page.totalCount);
    return { ...connection, edges: connection.edges.map((edge) => ({ cursor: edge.cursor, node: edge.node.event })) };
  }
}
