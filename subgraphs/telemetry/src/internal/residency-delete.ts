import type { ResidencyHooks } from "@dgg/common";
import { TelemetryEvent } from "../entities/telemetry-event.entity";
import { deleteCounted } from "../services/day-counts";
import { PARENT_TABLE } from "../services/partitions";

/**
 * A move's chunked delete of telemetry events on PostgreSQL keeps the day counts exact
 * (they drive the served totals); every other table, and SQLite, take the plain delete.
 */
export const deleteTelemetryRows: NonNullable<ResidencyHooks["deleteRows"]> = async (manager, table, tenantId, limit) => {
  if (manager.connection.options.type !== "postgres" || table !== TelemetryEvent) return null;
  return deleteCounted(
    manager,
    PARENT_TABLE,
    `tenant_id = $1 AND id IN (SELECT id FROM "${PARENT_TABLE}" WHERE tenant_id = $1 LIMIT $2)`,
    [tenantId, limit],
  );
};
