import { Entity } from "typeorm";
import { sealedEntity } from "@dgg/common";
import { TelemetryEvent } from "./telemetry-event.entity";

/**
 * Telemetry that outlived its 30 days because its user is under legal hold: retention moves
 * a held user's expired events here instead of dropping them, so the partitioned table only
 * ever holds events within their period (docs/decisions/0023). Same columns as
 * telemetry_event; a few rows, not partitioned. Purged at the first run after the hold is lifted.
 */
@Entity({ name: "telemetry_event_held" })
export class TelemetryHeldEvent extends TelemetryEvent {}

// Rows are moved here verbatim from telemetry_event, sealed as they were.
sealedEntity(TelemetryHeldEvent, { subject: "userId", tenant: "tenantId", epochOf: "occurredAt", json: ["payload"], aliases: { userId: "userId" } });
