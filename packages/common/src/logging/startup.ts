import type { ServiceLogger } from "./logger";

/**
 * Runs a process's start-up; a failure is logged and the process exits 1. The line keeps
 * the error's message (`reason`): nothing has been served yet, so it names a setting, a
 * file or a port, which the operator needs to fix it.
 */
export function startOrExit(log: ServiceLogger, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    log.fatal({ err: error, reason: error instanceof Error ? error.message : String(error) }, "could not start");
    process.exit(1);
  });
}
