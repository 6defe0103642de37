import { Field, Int, ObjectType } from "type-graphql";

/** What ingestTelemetry reports: a batch is taken whole or not at all. */
@ObjectType("TelemetryIngestResult")
export class TelemetryIngestResult {
  @Field(() => Int)
  accepted!: number;
}
