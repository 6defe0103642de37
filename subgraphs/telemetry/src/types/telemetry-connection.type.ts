import { connectionTypes } from "@dgg/common";
import type { Connection } from "@dgg/common";
import { TelemetryEvent } from "../entities/telemetry-event.entity";

export const { Edge: TelemetryEdge, Connection: TelemetryConnection } = connectionTypes("Telemetry", TelemetryEvent);
export type TelemetryConnection = Connection<TelemetryEvent>;
