import type DataLoader from "dataloader";
import type { DataSource } from "typeorm";
import { createKeysetPageLoader, openedNode, timeCursorOf } from "@dgg/common";
import type { Clock, Connection, SubjectKeyStore, TelemetryKind, UserPageKey } from "@dgg/common";
import { TelemetryEvent } from "../entities/telemetry-event.entity";
import { servedEvents } from "../services/served-events";

/** One page of one user's telemetry, newest first, limited to a tenant unless the caller is the service. */
export interface TelemetryPageKey extends UserPageKey {
  /** Sorted and distinct, or null for every kind. */
  kinds: TelemetryKind[] | null;
}

/**
 * Telemetry connections for many users in a fixed number of statements per batch (see
 * createKeysetPageLoader), kinds included. Only served events count: within 30 days, or kept
 * by a legal hold (services/served-events.ts), as of one moment per batch. Payloads are
 * opened with the store's subject keys (`keysOf`, resolved at first use).
 */
export function createTelemetryPageLoader(db: DataSource, keysOf: () => SubjectKeyStore, clock: Clock): DataLoader<TelemetryPageKey, Connection<TelemetryEvent>, string> {
  return createKeysetPageLoader<TelemetryPageKey, TelemetryEvent>(db, {
    from: () => servedEvents(clock.now()),
    userColumn: "user_id",
    timeColumn: "occurred_at",
    order: "DESC",
    countColumns: ["kind"],
    counts: (row, key) => key.kinds === null || (key.kinds as string[]).includes(String(row.kind)),
    narrow: (query, alias, key) => {
      if (key.kinds) query.andWhere(`${alias}.kind IN (:...kinds)`, { kinds: key.kinds });
    },
    node: openedNode(db, keysOf, TelemetryEvent, hydrate),
    userOf: (event) => event.userId,
    cursorOf: timeCursorOf<TelemetryEvent>("occurredAt"),
  });
}

/** Raw rows carry column names and driver types; map them onto entity properties. */
export function hydrate(row: Record<string, unknown>): Partial<TelemetryEvent> {
  return {
    id: String(row.id),
    userId: String(row.user_id),
    tenantId: String(row.tenant_id),
    kind: String(row.kind) as TelemetryKind,
    occurredAt: new Date(Number(row.occurred_at)),
    payload: typeof row.payload === "string" ? (JSON.parse(row.payload) as Record<string, unknown>) : (row.payload as Record<string, unknown>),
  };
}
