import { ArgsType, Field } from "type-graphql";
import { PageArgs, TelemetryKind } from "@dgg/common";

/** `telemetry(first: Int = 50, after: String, kinds: [TelemetryKind!])`, in the contract's order and nullability. */
@ArgsType()
export class TelemetryArgs extends PageArgs {
  /** Absent or empty means every kind. */
  @Field(() => [TelemetryKind], { nullable: true })
  kinds!: TelemetryKind[] | null;
}
