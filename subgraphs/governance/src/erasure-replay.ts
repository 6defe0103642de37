/**
 * `npm run erasure:replay`: re-erases everyone in the erasure ledger who is back in a data
 * subgraph (after a restore from backup), with the same environment as the governance
 * service. Prints what it did; exits non-zero if a data subgraph could not be reached.
 */
import { createLogger } from "@dgg/common";
import { governanceOptionsFromEnv } from "./options-from-env";
import { createGovernanceService } from "./server";

const log = createLogger("erasure-replay", process.env);

async function main(): Promise<void> {
  const options = await governanceOptionsFromEnv(process.env);
  const service = await createGovernanceService({
    ...options,
    log,
    // Only the replay runs here: no privacy workers, no residency mover, no retention schedule, no webhook dispatcher.
    privacy: { ...options.privacy, concurrency: 0 },
    residencyMover: false,
    webhooks: { dispatcher: false },
  });
  try {
    const { scanned, reErased } = await service.replayErasureLedger();
    log.info({ scanned, reErased }, `erasure:replay: scanned ${scanned} user ids across the data subgraphs, re-erased ${reErased}`);
  } finally {
    await service.stop();
  }
}

main().catch((error: unknown) => {
  // Its message names the subgraph it could not reach; a replay prints no personal data.
  log.error({ err: error, reason: error instanceof Error ? error.message : String(error) }, "erasure:replay failed");
  process.exit(1);
});
