import { ArgsType, Field, ID } from "type-graphql";

/**
 * A user and, optionally, why: what filing a privacy request about a user and lifting their
 * legal hold take. `reason` comes first, as in the SDL the `@Arg` pairs these replaced gave.
 */
@ArgsType()
export class UserReasonArgs {
  @Field(() => String, { nullable: true })
  reason!: string | null;

  @Field(() => ID)
  user!: string;
}
