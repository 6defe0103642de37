import { Field, ID, InputType } from "type-graphql";
import { JSONObject, TelemetryKind } from "@dgg/common";

@InputType("TelemetryEventInput")
export class TelemetryEventInput {
  @Field(() => ID)
  userId!: string;

  @Field(() => TelemetryKind)
  kind!: TelemetryKind;

  @Field(() => Date)
  occurredAt!: Date;

  @Field(() => JSONObject)
  payload!: Record<string, unknown>;
}
