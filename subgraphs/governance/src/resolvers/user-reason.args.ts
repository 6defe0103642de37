import { ArgsType, Field, ID } from "type-graphql";

/** A user and, optionally, why: what filing a privacy request about a user and lifting their legal hold take. */
@ArgsType()
export class UserReasonArgs {
  @Field(() => ID)
  user!: string;

  @Field(() => String, { nullable: true })
  reason!: string | null;
}
