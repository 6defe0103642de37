import type { ServiceLogger } from "@dgg/common";

/**
 * Work a request starts but does not wait for (dropping detached partitions after a purge
 * answered). Failures are logged; the service waits for what is under way when it stops.
 */
export class BackgroundWork {
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly log: ServiceLogger) {}

  /** Starts `work` now, or after `delayMs`. */
  run(what: string, work: () => Promise<unknown>, delayMs = 0): void {
    const started = delayMs > 0 ? new Promise((resolve) => setTimeout(resolve, delayMs)).then(work) : work();
    const done: Promise<void> = started
      .then(() => undefined)
      .catch((error: unknown) => this.log.error({ err: error, work: what }, "background work failed"))
      .finally(() => this.pending.delete(done));
    this.pending.add(done);
  }

  async drain(): Promise<void> {
    await Promise.all([...this.pending]);
  }
}
