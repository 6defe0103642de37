import { ArgsType, Field, Int } from "type-graphql";
import { TelemetryKind } from "@dgg/common";

/** `telemetry(first: Int = 50, after: String, kinds: [TelemetryKind!])`, in the contract's order and nullability. */
@ArgsType()
export class TelemetryArgs {
  @Field(() => Int, { nullable: true, defaultValue: 50 })
  first!: number | null;

  @Field(() => String, { nullable: true })
  after!: string | null;

  /** Absent or empty means every kind. */
  @Field(() => [TelemetryKind], { nullable: true })
  kinds!: TelemetryKind[] | null;
}
