import { ArgsType, Field, Int } from "type-graphql";

/**
 * Arguments of `PersonalData.auditLog`. An args class (not two `@Arg`s) so the SDL lists
 * them in the contract's order, `first` then `after`; `first` stays nullable with its
 * default, as the contract has it (`first: Int = 50`).
 */
@ArgsType()
export class AuditLogArgs {
  @Field(() => Int, { nullable: true, defaultValue: 50 })
  first!: number | null;

  @Field(() => String, { nullable: true })
  after!: string | null;
}
