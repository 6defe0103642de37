import { runService } from "@dgg/common";
import type { ServiceLogger } from "@dgg/common";
import { governanceOptionsFromEnv } from "./options-from-env";
import { faultsFromEnv } from "./privacy/engine/faults";
import { createGovernanceService } from "./server";
import type { GovernanceService } from "./server";
import { retentionIntervalFromEnv } from "./retention/retention-config";
import { webhookConfigFromEnv } from "./webhooks/config";

const REPLAY_TRIES = 10;

/**
 * Start-up replay of the erasure ledger: the data subgraphs may still be starting (or a
 * restore may have just finished), so an outage is retried a few times before giving up
 * until `npm run erasure:replay` or the next start.
 */
async function replayAtStartup(service: GovernanceService, log: ServiceLogger): Promise<void> {
  for (let attempt = 1; attempt <= REPLAY_TRIES; attempt += 1) {
    try {
      const { scanned, reErased } = await service.replayErasureLedger();
      log.info({ scanned, reErased }, `erasure ledger replayed (${scanned} ids scanned, ${reErased} re-erased)`);
      return;
    } catch (error) {
      if (attempt === REPLAY_TRIES) log.error({ err: error, attempts: attempt }, "erasure ledger replay failed");
      else await new Promise((resolve) => setTimeout(resolve, 2000 * attempt));
    }
  }
}

/** Starts the governance subgraph and its privacy workers from environment variables (see README: Configuration). */
runService("governance", async (env, log) => {
  if (env.DGG_FAULT_POINT && env.NODE_ENV === "production") throw new Error("DGG_FAULT_POINT (crash injection for tests) is refused when NODE_ENV=production");
  const options = await governanceOptionsFromEnv(env);
  const privacy = options.privacy;
  const service = await createGovernanceService({
    ...options,
    log,
    residencyMover: {
      intervalMs: Number(env.RESIDENCY_MOVER_INTERVAL_MS ?? 1000),
      leaseMs: Number(env.RESIDENCY_MOVE_LEASE_MS ?? 60_000),
      chunkRows: Number(env.RESIDENCY_COPY_CHUNK_ROWS ?? 2000),
      callTimeoutMs: Number(env.RESIDENCY_CALL_TIMEOUT_MS ?? 30_000),
      faultPoint: env.DGG_FAULT_POINT,
    },
    retentionIntervalMs: retentionIntervalFromEnv(env),
    webhooks: webhookConfigFromEnv(env),
    faults: faultsFromEnv(env, log),
  });
  return {
    app: service.app,
    started: () => {
      service.workers.start();
      log.info({ privacyWorkers: privacy.concurrency, workerId: privacy.workerId }, "privacy workers started");
      if (privacy.replayOnStart) void replayAtStartup(service, log);
    },
    // Drains the workers: the next replica resumes their requests from their checkpoints.
    stop: () => service.stop(),
  };
});
