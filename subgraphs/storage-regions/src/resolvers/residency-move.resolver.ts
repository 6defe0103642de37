import { Arg, Ctx, ID, Mutation, Query, Resolver } from "type-graphql";
import type { StorageRegionsContext } from "../context";
import * as moves from "../services/moves.service";
import { ResidencyMove } from "../types/residency-move.type";

@Resolver(() => ResidencyMove)
export class ResidencyMoveResolver {
  @Query(() => ResidencyMove, { nullable: true, description: "The tenant's latest move between regions, with its progress; null when it never moved." })
  residencyMove(@Arg("tenantId", () => ID) tenantId: string, @Ctx() ctx: StorageRegionsContext): Promise<ResidencyMove | null> {
    return moves.residencyMove(ctx, tenantId);
  }

  @Mutation(() => ResidencyMove, { description: "Cancels the tenant's move before its switch; the tenant returns to its old region, whose data was never touched." })
  cancelResidencyMove(@Arg("tenantId", () => ID) tenantId: string, @Ctx() ctx: StorageRegionsContext): Promise<ResidencyMove> {
    return moves.cancelResidencyMove(ctx, tenantId);
  }
}
