/**
 * `npm run erasure:replay`: re-erases everyone in the erasure ledger who is back in a data
 * subgraph (after a restore from backup), with the same environment as the governance
 * service. Prints what it did; exits non-zero if a data subgraph could not be reached.
 */
import { governanceOptionsFromEnv } from "./options-from-env";
import { createGovernanceService } from "./server";

async function main(): Promise<void> {
  const options = await governanceOptionsFromEnv(process.env);
  const service = await createGovernanceService({
    ...options,
    // Only the replay runs here: no privacy workers, no residency mover, no retention schedule, no webhook dispatcher.
    privacy: { ...options.privacy, concurrency: 0 },
    residencyMover: false,
    webhooks: { dispatcher: false },
  });
  try {
    const { scanned, reErased } = await service.replayErasureLedger();
    console.log(`erasure:replay: scanned ${scanned} user ids across the data subgraphs, re-erased ${reErased}`);
  } finally {
    await service.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`erasure:replay failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
