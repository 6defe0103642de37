import { ArgsType, Field, Int } from "type-graphql";

/** `devices(first: Int = 50, after: String)`, in the contract's order and nullability. */
@ArgsType()
export class DevicesArgs {
  @Field(() => Int, { nullable: true, defaultValue: 50 })
  first!: number | null;

  @Field(() => String, { nullable: true })
  after!: string | null;
}
