import { dataSubgraphEnvironment, runService } from "@dgg/common";
import { createTelemetryService } from "./server";

/** Starts the telemetry subgraph from environment variables (see README: Configuration). */
runService("telemetry", async (env, log) => createTelemetryService({ ...(await dataSubgraphEnvironment("telemetry", env)), log }));
