import { buildFederatedSchema } from "@dgg/common";
import type { FederatedSchema } from "@dgg/common";
import { TelemetryEvent } from "./entities/telemetry-event.entity";
import { PersonalData } from "./types/personal-data.type";
import { PersonalDataResolver } from "./resolvers/personal-data.resolver";
import { referenceResolvers } from "./resolvers/references";
import { TelemetryResolver } from "./resolvers/telemetry.resolver";

/** The telemetry subgraph: telemetry events (TELEMETRY) and their ingestion. */
export function buildTelemetrySchema(): Promise<FederatedSchema> {
  return buildFederatedSchema(
    { resolvers: [TelemetryResolver, PersonalDataResolver], orphanedTypes: [TelemetryEvent, PersonalData] },
    referenceResolvers,
  );
}
