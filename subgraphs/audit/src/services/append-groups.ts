import type { DataSource } from "typeorm";
import type { AuditLogEntry } from "../entities/audit-log-entry.entity";

interface Waiting<R> {
  rows: R[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit of one store's appends (docs/decisions/0056). Every read is audited before
 * its data leaves, so the trail takes an append per read, and each append was a transaction
 * of its own: BEGIN, the erasure lock, the tombstone lookup, the INSERT, COMMIT. Under load,
 * the statements (a socket write and a round trip each) were most of the audit service's
 * CPU. Here one transaction of a store runs at a time, and the appends that arrive meanwhile
 * go together in the next one:
 * - an append is acknowledged only once the transaction holding it committed, as before;
 * - an idle store starts the transaction at the end of the event loop's turn: a lone append
 *   waits for nothing but that turn;
 * - a group that fails is not blamed on all of its appends: each is committed again on its
 *   own, so one append's failure is its own (the group's transaction wrote nothing).
 */
export class GroupCommit<R> {
  private readonly waiting: Waiting<R>[] = [];
  private busy = false;

  constructor(
    private readonly commit: (rows: R[]) => Promise<void>,
    /** The most entries one group commits; a single append is never split. */
    private readonly limit: number,
  ) {}

  /** Resolves once `rows` are committed; rejects with the reason they could not be. */
  append(rows: R[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ rows, resolve, reject });
      if (this.busy) return;
      this.busy = true;
      // The first transaction starts after this turn of the event loop, with every append the
      // turn brought: SQLite's driver is synchronous, so a transaction started at once would
      // commit before any other request of the same turn could join it.
      setImmediate(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.waiting.length > 0) {
        const group = this.nextGroup();
        try {
          await this.commit(group.flatMap((waiting) => waiting.rows));
          for (const waiting of group) waiting.resolve();
        } catch (error) {
          if (group.length === 1) group[0]!.reject(error);
          else for (const waiting of group) await this.commitAlone(waiting);
        }
      }
    } finally {
      this.busy = false;
    }
  }

  private async commitAlone(waiting: Waiting<R>): Promise<void> {
    try {
      await this.commit(waiting.rows);
      waiting.resolve();
    } catch (error) {
      waiting.reject(error);
    }
  }

  /** The oldest waiting append and those after it, in order, while they fit in `limit` entries. */
  private nextGroup(): Waiting<R>[] {
    const group = [this.waiting.shift()!];
    let entries = group[0]!.rows.length;
    while (this.waiting.length > 0 && entries + this.waiting[0]!.rows.length <= this.limit) {
      const next = this.waiting.shift()!;
      entries += next.rows.length;
      group.push(next);
    }
    return group;
  }
}

/** One group commit per regional store, made on first use, for the process's lifetime. */
export class StoreAppendGroups {
  private readonly groups = new Map<DataSource, GroupCommit<AuditLogEntry>>();

  constructor(
    private readonly commitTo: (db: DataSource, rows: AuditLogEntry[]) => Promise<void>,
    /** Entries per group at most (the audit service passes the limit of one append). */
    private readonly limit: number,
  ) {}

  of(db: DataSource): GroupCommit<AuditLogEntry> {
    let group = this.groups.get(db);
    if (!group) {
      group = new GroupCommit((rows) => this.commitTo(db, rows), this.limit);
      this.groups.set(db, group);
    }
    return group;
  }
}
