import { Field, ID, Int, ObjectType } from "type-graphql";
import { connectionTypes, DataCategory, graphqlEnum } from "@dgg/common";
import type { Connection, EnumValue } from "@dgg/common";
import { LegalHold } from "../holds/legal-hold.type";

export const RetentionTrigger = graphqlEnum("RetentionTrigger", ["SCHEDULE", "ON_DEMAND"], "Whether the schedule or an operator started a retention run.");
export type RetentionTrigger = EnumValue<typeof RetentionTrigger>;

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

  @Field(() => Date, {
    nullable: true,
    description:
      "When the scheduled retention run will actually purge it: the first scheduled run after purgeAfter. Null when purgeAfter is null or retention runs on demand only.",
  })
  scheduledPurgeAt!: Date | null;

  @Field(() => LegalHold, {
    nullable: true,
    description: "personalData only: the active legal hold that keeps this data (purgeAfter is then null); null otherwise.",
  })
  legalHold!: LegalHold | null;
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

@ObjectType("RetentionSubgraphPurge", { description: "Rows one data subgraph removed from one category during a run." })
export class RetentionSubgraphPurge {
  @Field(() => String)
  subgraph!: string;

  @Field(() => DataCategory)
  category!: DataCategory;

  @Field(() => Int)
  purged!: number;
}

@ObjectType("RetentionRunError", { description: "A step of a run that failed; the other steps still ran." })
export class RetentionRunError {
  @Field(() => String)
  step!: string;

  @Field(() => String, { nullable: true })
  subgraph!: string | null;

  @Field(() => String)
  message!: string;
}

@ObjectType("RetentionRun")
export class RetentionRun {
  @Field(() => ID)
  id!: string;

  @Field(() => Date)
  startedAt!: Date;

  @Field(() => Date)
  finishedAt!: Date;

  @Field(() => [RetentionPurge])
  purges!: RetentionPurge[];

  @Field(() => RetentionTrigger)
  trigger!: RetentionTrigger;

  @Field(() => String, { description: "Who started the run: an operator, or service:governance for the schedule." })
  triggeredBy!: string;

  @Field(() => [RetentionSubgraphPurge])
  purgesBySubgraph!: RetentionSubgraphPurge[];

  @Field(() => Int, { description: "Audit entries unlinked from users whose 30 days after removal had passed." })
  pseudonymised!: number;

  @Field(() => Int, { description: "Users under legal hold, whose data the run kept." })
  heldUsers!: number;

  @Field(() => [RetentionRunError])
  errors!: RetentionRunError[];
}

export const { Edge: RetentionRunEdge, Connection: RetentionRunConnection } = connectionTypes("RetentionRun", RetentionRun);
export type RetentionRunConnection = Connection<RetentionRun>;
