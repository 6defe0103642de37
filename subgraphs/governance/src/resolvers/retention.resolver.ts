import { Arg, Ctx, Int, Mutation, Query, Resolver } from "type-graphql";
import type { GovernanceContext } from "../context";
import { retentionRuns, runRetention } from "../retention/retention.service";
import { RetentionRun, RetentionRunConnection } from "../retention/retention.type";
import { toRetentionRun } from "../retention/retention.mapper";

@Resolver(() => RetentionRun)
export class RetentionResolver {
  @Mutation(() => RetentionRun, {
    description:
      "Purges everything past its retention period as of now. Runs on every replica one at a time: if a run is under way elsewhere, waits for it, then runs.",
  })
  async runRetention(@Ctx() ctx: GovernanceContext): Promise<RetentionRun> {
    return toRetentionRun(await runRetention(ctx));
  }

  @Query(() => RetentionRunConnection, { description: "Retention runs, scheduled and on demand, newest first (operators)." })
  async retentionRuns(
    @Arg("first", () => Int, { nullable: true, defaultValue: 20 }) first: number,
    @Arg("after", () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: GovernanceContext,
  ): Promise<RetentionRunConnection> {
    const page = await retentionRuns(ctx, first, after);
    return { ...page, edges: page.edges.map((edge) => ({ cursor: edge.cursor, node: toRetentionRun(edge.node) })) };
  }
}
