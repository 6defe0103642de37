/**
 * Work a request starts but does not wait for (dropping detached partitions after a purge
 * answered). Failures are logged; the service waits for what is under way when it stops.
 */
export class BackgroundWork {
  private readonly pending = new Set<Promise<void>>();

  run(what: string, work: () => Promise<unknown>): void {
    const done: Promise<void> = work()
      .then(() => undefined)
      .catch((error: unknown) => console.error(`[telemetry] ${what} failed: ${String(error)}`))
      .finally(() => this.pending.delete(done));
    this.pending.add(done);
  }

  async drain(): Promise<void> {
    await Promise.all([...this.pending]);
  }
}
