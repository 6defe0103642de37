import { DAY_MS, insertVerbatim, PersonalDataFreeze } from "@dgg/common";
import type { ResidencyHooks } from "@dgg/common";
import type { DataSource } from "typeorm";
import { TelemetryEvent } from "../entities/telemetry-event.entity";
import { TelemetryHeldEvent } from "../entities/telemetry-held-event.entity";
import { countInserted, deleteCounted } from "./day-counts";
import { PARENT_TABLE } from "./partitions";
import type { PartitionCatalog } from "./partitions";

/**
 * A tenant move on PostgreSQL keeps telemetry's bookkeeping exact: the day partitions the
 * tenant's rows need exist in the target before the copy transaction starts (creating them
 * inside it would wait on the copy's own lock), and the day counts follow every insert and
 * delete. The held table (legal holds) and the freezes (GDPR Art. 18) move with the rest.
 */
export function telemetryResidencyHooks(partitionsFor: (db: DataSource) => PartitionCatalog | null): ResidencyHooks {
  return {
    async prepare(source, target, tenantId) {
      const catalog = partitionsFor(target);
      if (!catalog) return;
      const span: { first: string | number | null; last: string | number | null } | undefined = await source
        .getRepository(TelemetryEvent)
        .createQueryBuilder("t")
        .select("MIN(t.occurred_at)", "first")
        .addSelect("MAX(t.occurred_at)", "last")
        .where("t.tenant_id = :tenantId", { tenantId })
        .getRawOne();
      if (span?.first == null || span.last == null) return;
      const days: number[] = [];
      for (let time = Number(span.first); time <= Number(span.last) + DAY_MS; time += DAY_MS) days.push(time);
      await catalog.ensureFor(days);
    },
    async insert(manager, table, rows) {
      await insertVerbatim(manager, table, rows);
      // Only the partitioned table keeps day counts; the held table is a plain one.
      if (manager.connection.options.type === "postgres" && table === TelemetryEvent) {
        await countInserted(manager, rows.map((row) => (row as TelemetryEvent).occurredAt.getTime()));
      }
    },
    async deleteTenant(manager, tenantId) {
      const freezes = (await manager.delete(PersonalDataFreeze, { tenantId })).affected ?? 0;
      const held = freezes + ((await manager.delete(TelemetryHeldEvent, { tenantId })).affected ?? 0);
      if (manager.connection.options.type === "postgres") return held + (await deleteCounted(manager, PARENT_TABLE, "tenant_id = $1", [tenantId]));
      return held + ((await manager.delete(TelemetryEvent, { tenantId })).affected ?? 0);
    },
  };
}
