import type { RetentionRunRecord } from "../entities/retention-run.entity";
import { RetentionTrigger } from "./retention.type";
import type { RetentionRun } from "./retention.type";

/** Stored run → API shape. Runs recorded before the schedule existed have no per-subgraph detail. */
export function toRetentionRun(run: RetentionRunRecord): RetentionRun {
  return {
    id: run.id,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    purges: run.purges.map(({ category, count }) => ({ category, purged: count })),
    trigger: run.trigger === "SCHEDULE" ? RetentionTrigger.SCHEDULE : RetentionTrigger.ON_DEMAND,
    triggeredBy: run.triggeredBy,
    purgesBySubgraph: (run.subgraphPurges ?? []).map(({ subgraph, category, count }) => ({ subgraph, category, purged: count })),
    pseudonymised: run.pseudonymised,
    heldUsers: run.heldUsers,
    errors: run.errors ?? [],
  };
}
