import type { DataSource, EntityManager } from "typeorm";

/**
 * Runs governance's writes in transactions. TypeORM's SQLite driver shares one connection
 * (and one transaction depth) across the process, so two concurrent transactions would
 * nest into each other; on SQLite they are queued here, one after the other. PostgreSQL
 * has a pool and runs them side by side.
 */
export class Transactor {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly db: DataSource) {}

  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (this.db.options.type === "postgres") return this.db.transaction(work);
    const next = this.tail.then(() => this.db.transaction(work));
    this.tail = next.catch(() => undefined);
    return next;
  }
}
