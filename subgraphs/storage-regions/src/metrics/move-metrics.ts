import { Gauge } from "prom-client";
import type { ServiceMetrics } from "@dgg/common";
import type { DataSource } from "typeorm";
import { OPEN_PHASES, TenantMove } from "../entities/tenant-move.entity";

/** `dgg_residency_moves_in_progress`: moves a mover still has work in, read from the directory at scrape time. */
export function registerMoveMetrics(metrics: ServiceMetrics, db: DataSource): void {
  new Gauge({
    name: "dgg_residency_moves_in_progress",
    help: "Tenant moves between regions not yet completed, failed or cancelled.",
    registers: [metrics.registry],
    async collect() {
      this.set(await db.getRepository(TenantMove).createQueryBuilder("m").where("m.phase IN (:...open)", { open: [...OPEN_PHASES] }).getCount());
    },
  });
}
