import { Field, ObjectType } from "type-graphql";
import { UserRecord } from "../personal-data/user-record.type";

@ObjectType("LegalHold", { description: "While active, retention purges nothing about the user and restrictProcessing is refused." })
export class LegalHold extends UserRecord {
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
