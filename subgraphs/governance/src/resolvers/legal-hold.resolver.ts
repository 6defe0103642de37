import { Arg, Args, Ctx, ID, Mutation, Resolver } from "type-graphql";
import type { GovernanceContext } from "../context";
import { liftLegalHold, placeLegalHold } from "../holds/legal-hold.service";
import { LegalHold } from "../holds/legal-hold.type";
import { toLegalHold } from "../holds/legal-hold.mapper";
import { UserReasonArgs } from "./user-reason.args";

@Resolver(() => LegalHold)
export class LegalHoldResolver {
  @Mutation(() => LegalHold, {
    description:
      "Places a legal hold on a user (operators; privacy officers in their tenant): retention keeps all of the user's data and restrictProcessing is refused until it is lifted.",
  })
  async placeLegalHold(
    @Arg("user", () => ID) user: string,
    @Arg("reason", () => String) reason: string,
    @Ctx() ctx: GovernanceContext,
  ): Promise<LegalHold> {
    return toLegalHold(await placeLegalHold(ctx, user, reason));
  }

  @Mutation(() => LegalHold, { description: "Lifts the user's active legal hold; retention catches up at its next run." })
  async liftLegalHold(@Args() { user, reason }: UserReasonArgs, @Ctx() ctx: GovernanceContext): Promise<LegalHold> {
    return toLegalHold(await liftLegalHold(ctx, user, reason));
  }
}
