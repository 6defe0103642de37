import { Args, Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import { decodeCursor, parseFirst, personalDataScope } from "@dgg/common";
import { TelemetryArgs } from "../inputs/telemetry.args";
import { PersonalData } from "../types/personal-data.type";
import { TelemetryConnection } from "../types/telemetry-connection.type";
import type { TelemetryContext } from "../context";

/** The telemetry share of PersonalData, through a per-request loader. */
@Resolver(() => PersonalData)
export class PersonalDataResolver {
  @FieldResolver(() => TelemetryConnection)
  telemetry(
    @Root() root: PersonalData,
    @Ctx() ctx: TelemetryContext,
    @Args(() => TelemetryArgs) { first, after, kinds }: TelemetryArgs,
  ): Promise<TelemetryConnection> {
    const scope = personalDataScope(ctx.viewer, root.userId);
    // Checked here so that a bad cursor fails this field alone, not the loader's whole batch.
    decodeCursor(after, ["number", "string"]);
    return ctx.loaders.telemetryPage.load({
      userId: root.userId,
      tenantId: scope.tenantId,
      first: parseFirst(first),
      after: after ?? null,
      kinds: kinds && kinds.length > 0 ? [...new Set(kinds)].sort() : null,
    });
  }
}
