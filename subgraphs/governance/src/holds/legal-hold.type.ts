import { Field, ID, ObjectType } from "type-graphql";

@ObjectType("LegalHold", { description: "While active, retention purges nothing about the user and restrictProcessing is refused." })
export class LegalHold {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  userId!: string;

  @Field(() => ID)
  tenantId!: string;

  @Field(() => String)
  reason!: string;

  @Field(() => String, { description: "Who placed the hold (the subject of their identity)." })
  placedBy!: string;

  @Field(() => Date)
  placedAt!: Date;

  @Field(() => Boolean, { description: "True until the hold is lifted." })
  active!: boolean;

  @Field(() => String, { nullable: true })
  liftedBy!: string | null;

  @Field(() => Date, { nullable: true })
  liftedAt!: Date | null;

  @Field(() => String, { nullable: true })
  liftReason!: string | null;
}
