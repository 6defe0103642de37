import { Field, Int, ObjectType } from "type-graphql";
import { DataCategory } from "@dgg/common";

@ObjectType("RetentionStatus")
export class RetentionStatus {
  @Field(() => DataCategory)
  category!: DataCategory;

  @Field(() => String, { description: "The rule, in words: e.g. 'until 30 days after removal from management'." })
  policy!: string;

  @Field(() => Date, {
    nullable: true,
    description: "When the oldest data of this category that is held now will be purged; null when none is held or no date is set yet.",
  })
  purgeAfter!: Date | null;
}

@ObjectType("ProcessingStatement")
export class ProcessingStatement {
  @Field(() => Boolean)
  isoCertifiedSystems!: boolean;

  @Field(() => Boolean)
  usedForProfiling!: boolean;

  @Field(() => Boolean)
  usedForMarketing!: boolean;
}

@ObjectType("RetentionPurge")
export class RetentionPurge {
  @Field(() => DataCategory)
  category!: DataCategory;

  @Field(() => Int)
  purged!: number;
}

@ObjectType("RetentionRun")
export class RetentionRun {
  @Field(() => Date)
  startedAt!: Date;

  @Field(() => Date)
  finishedAt!: Date;

  @Field(() => [RetentionPurge])
  purges!: RetentionPurge[];
}
