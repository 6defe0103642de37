import { Ctx, Mutation, Resolver } from "type-graphql";
import type { GovernanceContext } from "../context";
import { runRetention } from "../services/retention.service";
import { RetentionRun } from "../types/retention.type";

@Resolver(() => RetentionRun)
export class RetentionResolver {
  @Mutation(() => RetentionRun, { description: "Purges everything past its retention period as of now." })
  async runRetention(@Ctx() ctx: GovernanceContext): Promise<RetentionRun> {
    const run = await runRetention(ctx);
    return {
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      purges: run.purges.map(({ category, count }) => ({ category, purged: count })),
    };
  }
}
