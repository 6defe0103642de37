import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from "type-graphql";
import type { GovernanceContext } from "../context";
import * as service from "../personal-data/personal-data.service";
import { PersonalData } from "../personal-data/personal-data.type";
import { ProcessingStatement, RetentionStatus } from "../retention/retention.type";

@Resolver(() => PersonalData)
export class PersonalDataResolver {
  @Query(() => PersonalData, {
    nullable: true,
    description: "Everything held about one user (by user id), by category. NOT_FOUND when nothing is held about that id.",
  })
  personalData(@Arg("user", () => ID) user: string, @Ctx() ctx: GovernanceContext): Promise<PersonalData> {
    return service.personalData(ctx, user);
  }

  @FieldResolver(() => [RetentionStatus])
  retention(@Root() root: PersonalData, @Ctx() ctx: GovernanceContext): Promise<RetentionStatus[]> {
    return service.retentionOf(ctx, root);
  }

  @FieldResolver(() => ProcessingStatement)
  processing(): ProcessingStatement {
    return service.PROCESSING_STATEMENT;
  }

  @Query(() => [RetentionStatus])
  retentionPolicies(@Ctx() ctx: GovernanceContext): Promise<RetentionStatus[]> {
    return service.retentionPolicies(ctx);
  }
}
