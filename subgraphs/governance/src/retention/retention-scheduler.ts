import type { GovernanceDeps } from "../context";
import type { RetentionRunRecord } from "../entities/retention-run.entity";
import { runScheduledSlot } from "./retention.service";

/** How often a replica looks whether the current slot still has to run (at most). */
const CHECK_EVERY_MS = 60_000;

/**
 * Runs retention on its own, once per interval (hourly by default), on whichever replica
 * claims the slot first; the others find it done. A slot missed while every replica was
 * down runs at the next check (catch-up), and a failure is recorded on the run and retried
 * in the next slot.
 */
export class RetentionScheduler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<RetentionRunRecord | null> | null = null;

  constructor(
    private readonly deps: GovernanceDeps,
    readonly intervalMs: number,
  ) {}

  start(): void {
    const check = () => {
      this.tick().catch((error: unknown) => this.deps.log.error({ err: error }, "scheduled retention failed"));
    };
    this.timer = setInterval(check, Math.min(CHECK_EVERY_MS, this.intervalMs)).unref();
    check();
  }

  /** One check; runs the slot if it is due here. Exposed so tests can drive the schedule with a moved clock. */
  async tick(): Promise<RetentionRunRecord | null> {
    if (this.running) return null;
    this.running = runScheduledSlot(this.deps, this.intervalMs);
    try {
      return await this.running;
    } finally {
      this.running = null;
    }
  }

  /** Stops checking and waits for a run in progress to finish. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }
}
