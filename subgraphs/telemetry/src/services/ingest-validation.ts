import { randomUUID } from "node:crypto";
import { assertId, BadUserInputError, quote } from "@dgg/common";
import type { TelemetryEvent } from "../entities/telemetry-event.entity";
import type { TelemetryEventInput } from "../inputs/telemetry-event.input";
import { retentionCutoff } from "./served-events";

/** Largest batch one ingestTelemetry call takes. */
export const MAX_BATCH = 10_000;
/** Largest payload, measured as its UTF-8 JSON serialization. */
export const MAX_PAYLOAD_BYTES = 16 * 1024;
/** How far ahead of our clock an event may claim to have happened (senders' clocks drift). */
export const MAX_FUTURE_MS = 5 * 60_000;

/** A validated event, ready to insert once its user is known to be in the tenant. */
export type TelemetryRow = Pick<TelemetryEvent, "id" | "tenantId" | "userId" | "kind" | "occurredAt" | "payload">;

/**
 * Checks a whole batch before anything is looked up or written, and turns it into rows of
 * `tenantId`. The first bad event is refused with its path, e.g. `events[3].occurredAt`.
 */
export function validateBatch(events: readonly TelemetryEventInput[], tenantId: string, now: Date): TelemetryRow[] {
  if (events.length === 0 || events.length > MAX_BATCH) {
    throw new BadUserInputError(`events must hold 1 to ${MAX_BATCH} events, got ${events.length}`, "events");
  }
  const latest = now.getTime() + MAX_FUTURE_MS;
  // Older than 30 days is already past its retention period: storing it would keep what must be gone.
  const earliest = retentionCutoff(now);
  return events.map((event, index) => {
    const path = `events[${index}]`;
    const userId = assertId(event.userId, `${path}.userId`);
    const occurredAt = event.occurredAt;
    if (occurredAt.getTime() > latest) {
      throw new BadUserInputError(
        `${path}.occurredAt must be at most 5 minutes after now (${now.toISOString()}), got ${quote(occurredAt.toISOString())}`,
        `${path}.occurredAt`,
      );
    }
    if (occurredAt.getTime() < earliest) {
      throw new BadUserInputError(
        `${path}.occurredAt must be within telemetry's 30-day retention period (at or after ${new Date(earliest).toISOString()}), got ${quote(occurredAt.toISOString())}`,
        `${path}.occurredAt`,
      );
    }
    const bytes = Buffer.byteLength(JSON.stringify(event.payload), "utf8");
    if (bytes > MAX_PAYLOAD_BYTES) {
      throw new BadUserInputError(
        `${path}.payload must serialize to at most ${MAX_PAYLOAD_BYTES} bytes, got ${bytes}: ${quote(event.payload)}`,
        `${path}.payload`,
      );
    }
    return { id: randomUUID(), tenantId, userId, kind: event.kind, occurredAt, payload: event.payload };
  });
}
