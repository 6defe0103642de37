import { Field, ID, Int, ObjectType } from "type-graphql";

/** One event ingestTelemetry did not store, while the rest of its batch was stored. */
@ObjectType("TelemetryRejection", { description: "An event of the batch that was not stored, and why." })
export class TelemetryRejection {
  @Field(() => Int, { description: "Position of the event in the input list." })
  index!: number;

  @Field(() => ID)
  userId!: string;

  @Field(() => String, { description: "Error code, e.g. CONFLICT: the user is frozen by a privacy request (restriction of processing)." })
  code!: string;

  @Field(() => String)
  message!: string;
}

/**
 * What ingestTelemetry reports: malformed input or unknown users refuse the whole batch;
 * events of users frozen by a privacy request are rejected one by one.
 */
@ObjectType("TelemetryIngestResult")
export class TelemetryIngestResult {
  @Field(() => Int, { description: "Events stored (the rejected ones excluded)." })
  accepted!: number;

  @Field(() => [TelemetryRejection])
  rejected!: TelemetryRejection[];
}
