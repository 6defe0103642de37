import { Args, Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import { decodeCursor, PageArgs, parseFirst, personalDataScope } from "@dgg/common";
import { PersonalData } from "../types/personal-data.type";
import { AuditLogConnection } from "../types/audit-log-connection.type";
import type { AuditContext } from "../context";

/** The audit-log share of PersonalData, through a per-request loader. */
@Resolver(() => PersonalData)
export class PersonalDataResolver {
  @FieldResolver(() => AuditLogConnection)
  auditLog(@Root() root: PersonalData, @Ctx() ctx: AuditContext, @Args(() => PageArgs) args: PageArgs): Promise<AuditLogConnection> {
    const scope = personalDataScope(ctx.viewer, root.userId);
    const first = parseFirst(args.first);
    const after = args.after ?? null;
    // Checked here as well so a bad cursor fails this field alone, not every key of the batch.
    decodeCursor(after, ["number", "string"]);
    return ctx.loaders.auditLogPage.load({ userId: root.userId, tenantId: scope.tenantId, first, after });
  }
}
