import { Arg, Ctx, Mutation, Resolver } from "type-graphql";
import { TelemetryEventInput } from "../inputs/telemetry-event.input";
import { TelemetryIngestResult } from "../types/telemetry-ingest-result.type";
import type { TelemetryContext } from "../context";
import { ingestTelemetry } from "../services/telemetry-ingest.service";

@Resolver(() => TelemetryIngestResult)
export class TelemetryResolver {
  @Mutation(() => TelemetryIngestResult)
  ingestTelemetry(
    @Arg("events", () => [TelemetryEventInput]) events: TelemetryEventInput[],
    @Ctx() ctx: TelemetryContext,
  ): Promise<TelemetryIngestResult> {
    return ingestTelemetry(ctx, events);
  }
}
