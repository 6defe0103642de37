import { Counter, Gauge, Histogram } from "prom-client";
import type { Clock, ServiceMetrics } from "@dgg/common";
import type { DataSource } from "typeorm";
import { PrivacyRequestRecord } from "../entities/privacy-request.entity";
import { FINISHED_STATUSES } from "../privacy/engine/statuses";

/**
 * Governance's own series, beside the GraphQL histogram every service has. The request
 * gauges are read from the store at scrape time, so every replica reports the same numbers
 * (aggregate them with max, not sum); the retention series count what this replica ran.
 */
export class GovernanceMetrics {
  readonly retentionRunDuration: Histogram;
  readonly retentionPurgedRows: Counter<"category">;

  constructor(metrics: ServiceMetrics, db: DataSource, clock: Clock) {
    const registers = [metrics.registry];
    new Gauge({
      name: "dgg_privacy_requests",
      help: "Privacy requests in the store, by status and kind.",
      labelNames: ["status", "kind"],
      registers,
      async collect() {
        const rows = await db
          .getRepository(PrivacyRequestRecord)
          .createQueryBuilder("r")
          .select("r.status", "status")
          .addSelect("r.kind", "kind")
          .addSelect("COUNT(*)", "n")
          .groupBy("r.status")
          .addGroupBy("r.kind")
          .getRawMany<{ status: string; kind: string; n: string | number }>();
        this.reset();
        for (const row of rows) this.set({ status: row.status, kind: row.kind }, Number(row.n));
      },
    });
    new Gauge({
      name: "dgg_privacy_request_oldest_open_seconds",
      help: "Age of the oldest privacy request not finished (0 when there is none).",
      registers,
      async collect() {
        const row = await db
          .getRepository(PrivacyRequestRecord)
          .createQueryBuilder("r")
          .select("MIN(r.created_at)", "oldest")
          .where("r.status NOT IN (:...finished)", { finished: [...FINISHED_STATUSES] })
          .getRawOne<{ oldest: string | number | null }>();
        const oldest = row?.oldest == null ? null : Number(row.oldest);
        this.set(oldest === null ? 0 : Math.max(0, (clock.now().getTime() - oldest) / 1000));
      },
    });
    this.retentionRunDuration = new Histogram({
      name: "dgg_retention_run_duration_seconds",
      help: "Retention runs executed by this replica.",
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
      registers,
    });
    this.retentionPurgedRows = new Counter({
      name: "dgg_retention_purged_rows_total",
      help: "Rows purged (or pseudonymised, for the audit log) by retention runs of this replica, by category.",
      labelNames: ["category"],
      registers,
    });
  }
}
