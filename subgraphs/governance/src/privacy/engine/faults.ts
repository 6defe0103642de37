import type { ServiceLogger } from "@dgg/common";

/**
 * Fault injection for the crash suite: `DGG_FAULT_POINT=<point>[@<n>]` makes the process
 * die (SIGKILL, no clean-up, like a power cut) the n-th time (default 1st) it reaches the
 * named point. Refused when NODE_ENV=production. Points are listed in FAULT_POINTS so a
 * typo in a test fails loudly instead of never firing.
 */
export const FAULT_POINTS = [
  "claim.after",
  "export.frozen",
  "export.started",
  "export.page-written",
  "export.checkpointed",
  "export.file-completed",
  "export.file-committed",
  "export.report-written",
  "export.manifest-written",
  "export.verified",
  "export.exported",
  "erase.started",
  "erase.subgraph-started",
  "erase.subgraph-called",
  "erase.subgraph-checkpointed",
  "finish.thawed",
  "finish.audited",
  "finish.completed",
] as const;
export type FaultPoint = (typeof FAULT_POINTS)[number];

export interface FaultInjector {
  hit(point: FaultPoint): void;
}

export const noFaults: FaultInjector = { hit() {} };

export function faultsFromEnv(env: NodeJS.ProcessEnv, log: ServiceLogger): FaultInjector {
  const spec = env.DGG_FAULT_POINT;
  if (!spec) return noFaults;
  if (env.NODE_ENV === "production") throw new Error("DGG_FAULT_POINT is refused when NODE_ENV=production");
  const [point, nth] = spec.split("@") as [string, string | undefined];
  // The residency mover reads the same variable for its own points (src/residency/residency-mover.ts).
  if (point.startsWith("residency:")) return noFaults;
  if (!(FAULT_POINTS as readonly string[]).includes(point)) {
    throw new Error(`DGG_FAULT_POINT names an unknown point ${JSON.stringify(point)}; known: ${FAULT_POINTS.join(", ")}`);
  }
  const target = nth === undefined ? 1 : Number(nth);
  if (!Number.isInteger(target) || target < 1) throw new Error(`DGG_FAULT_POINT count must be a positive integer, got ${JSON.stringify(nth)}`);
  let seen = 0;
  return {
    hit(reached) {
      if (reached !== point) return;
      seen += 1;
      if (seen < target) return;
      // Logged synchronously (the logger writes so) so the test can tell an injected death from a real crash.
      log.warn({ point, seen }, `fault injected at ${point}@${seen}: killing the process`);
      process.kill(process.pid, "SIGKILL");
    },
  };
}
