import { AsyncLocalStorage } from "node:async_hooks";
import type { DataSource, EntityManager, QueryRunner } from "typeorm";
import type { IsolationLevel } from "typeorm/driver/types/IsolationLevel";
import type { BetterSqlite3Driver } from "typeorm/driver/better-sqlite3/BetterSqlite3Driver";
import { BetterSqlite3QueryRunner } from "typeorm/driver/better-sqlite3/BetterSqlite3QueryRunner";
import { SpanKind } from "@opentelemetry/api";
import { insideRecordedSpan, withSpan } from "./tracing/spans";

/** The async context of one top-level `transaction()` call: which runner its transaction runs on. */
interface TransactionScope {
  runner?: QueryRunner;
}

/**
 * Who may use a DataSource's single SQLite connection at the moment: one transaction alone,
 * or any number of single (auto-committed) statements. Waiters are served in arrival order,
 * so a stream of reads cannot starve a transaction, nor a stream of transactions a read.
 */
class ConnectionGate {
  /** The runner whose transaction holds the connection, if any. */
  owner: QueryRunner | undefined;
  /** Which runner each transaction's async context runs on, for statements issued through the DataSource inside it. */
  readonly scopes = new AsyncLocalStorage<TransactionScope>();
  private statements = 0;
  private readonly waiting: { runner?: QueryRunner; admit: () => void }[] = [];

  /** Undefined when `runner` holds the connection at once; otherwise resolves once it does. */
  enterTransaction(runner: QueryRunner): Promise<void> | undefined {
    if (this.owner === undefined && this.statements === 0 && this.waiting.length === 0) {
      this.owner = runner;
      return undefined;
    }
    return new Promise((admit) => this.waiting.push({ runner, admit }));
  }

  leaveTransaction(runner: QueryRunner): void {
    if (this.owner !== runner) return;
    this.owner = undefined;
    this.admitWaiting();
  }

  /** Undefined when a single statement may run at once (the common path: no promise, no tick); otherwise resolves when it may. */
  enterStatement(): Promise<void> | undefined {
    if (this.owner === undefined && this.waiting.length === 0) {
      this.statements += 1;
      return undefined;
    }
    return new Promise((admit) => this.waiting.push({ admit }));
  }

  leaveStatement(): void {
    this.statements -= 1;
    if (this.statements === 0) this.admitWaiting();
  }

  /** The runner the current async context's transaction runs on, while that transaction is open. */
  ownRunner(): QueryRunner | undefined {
    const runner = this.scopes.getStore()?.runner;
    return runner !== undefined && runner === this.owner ? runner : undefined;
  }

  /**
   * Admission happens here, synchronously, before the waiter resumes: nothing can slip in
   * between a grant and its use.
   */
  private admitWaiting(): void {
    while (this.owner === undefined && this.waiting.length > 0) {
      const next = this.waiting[0]!;
      if (next.runner !== undefined) {
        if (this.statements > 0) return;
        this.waiting.shift();
        this.owner = next.runner;
        next.admit();
        return;
      }
      this.waiting.shift();
      this.statements += 1;
      next.admit();
    }
  }
}

/** better-sqlite3's connection, as far as this module uses it. */
interface SqliteConnection {
  readonly inTransaction: boolean;
}

/**
 * A query runner of its own per caller, all on the DataSource's one connection, each
 * statement admitted by the gate: TypeORM's driver would hand every caller the same runner,
 * and with it the same transaction.
 */
class GatedQueryRunner extends BetterSqlite3QueryRunner {
  constructor(
    driver: BetterSqlite3Driver,
    private readonly gate: ConnectionGate,
    statementCache: Map<string, unknown>,
  ) {
    super(driver);
    // One cache of prepared statements per connection, as with TypeORM's single runner;
    // a cache per runner would prepare every statement anew. The field is private in the typings.
    (this as unknown as { stmtCache: Map<string, unknown> }).stmtCache = statementCache;
  }

  override async query(...args: Parameters<BetterSqlite3QueryRunner["query"]>): ReturnType<BetterSqlite3QueryRunner["query"]> {
    if (!insideRecordedSpan()) return this.admitted(...args);
    // A span per statement inside a traced request or job (pg's instrumentation does the same
    // for PostgreSQL). The statement's text only: its parameters may be personal data.
    const [query] = args;
    return withSpan(`sqlite ${query.trimStart().split(/\s/, 1)[0]!.toUpperCase()}`, { kind: SpanKind.CLIENT, attributes: { "db.system.name": "sqlite", "db.query.text": query.slice(0, 2000) } }, () => this.admitted(...args));
  }

  private async admitted(...[query, parameters, useStructuredResult]: Parameters<BetterSqlite3QueryRunner["query"]>): ReturnType<BetterSqlite3QueryRunner["query"]> {
    if (this.gate.owner === this) {
      // TypeORM begins DEFERRED: a transaction that reads and then writes would fail with
      // SQLITE_BUSY (without waiting) if another process wrote to the file in between.
      // IMMEDIATE takes the write lock up front, where busy_timeout applies.
      const sql = query === "BEGIN TRANSACTION" ? "BEGIN IMMEDIATE TRANSACTION" : query;
      return super.query(sql, parameters, useStructuredResult);
    }
    const admitted = this.gate.enterStatement();
    if (admitted) await admitted;
    try {
      return await super.query(query, parameters, useStructuredResult);
    } finally {
      this.gate.leaveStatement();
    }
  }

  override async startTransaction(isolationLevel?: IsolationLevel): Promise<void> {
    // A savepoint inside this runner's own open transaction.
    if (this.gate.owner === this) return super.startTransaction(isolationLevel);
    const admitted = this.gate.enterTransaction(this);
    if (admitted) await admitted;
    try {
      await super.startTransaction(isolationLevel);
    } catch (error) {
      this.settle();
      throw error;
    }
    // From here on, the DataSource hands this runner to whatever the caller's context asks
    // for. Only a scope's first transaction binds it (`transaction()` opened the scope just
    // before): work that outlives its transaction (a timer started in the callback) keeps a
    // finished scope, which must not draw it into some later, unrelated transaction.
    const scope = this.gate.scopes.getStore();
    if (scope && scope.runner === undefined) scope.runner = this;
  }

  override async commitTransaction(): Promise<void> {
    try {
      await super.commitTransaction();
    } finally {
      this.settle();
    }
  }

  override async rollbackTransaction(): Promise<void> {
    try {
      await super.rollbackTransaction();
    } finally {
      this.settle();
    }
  }

  /**
   * Hands the connection on once this runner's outermost transaction is over, including when
   * BEGIN, COMMIT or ROLLBACK failed but SQLite has no transaction open any more (SQLite rolls
   * back by itself on some errors): TypeORM would otherwise believe it still open, and the
   * gate would stay shut for good.
   */
  private settle(): void {
    if (this.gate.owner !== this) return;
    const connection = this.driver.databaseConnection as SqliteConnection;
    if (this.isTransactionActive && connection.inTransaction) return;
    this.isTransactionActive = false;
    this.transactionDepth = 0;
    this.gate.leaveTransaction(this);
  }
}

/**
 * Isolates concurrent transactions on a better-sqlite3 DataSource (docs/decisions/0041).
 * A transaction holds the DataSource's one connection from BEGIN to COMMIT/ROLLBACK;
 * statements from elsewhere (other requests' transactions, plain reads and writes) wait
 * until it ends, and run at once when no transaction is open. Inside `transaction()`'s
 * callback, statements issued through the DataSource or its repositories, not only through
 * the callback's manager, belong to the transaction, and nested `transaction()` calls are
 * savepoints, as before.
 *
 * The one thing that cannot work: inside a transaction, waiting for a query runner that
 * was created outside it (`createQueryRunner()` before the transaction) would wait forever.
 */
export function isolateSqliteTransactions(dataSource: DataSource): DataSource {
  const driver = dataSource.driver as BetterSqlite3Driver;
  const gate = new ConnectionGate();
  const statementCache = new Map<string, unknown>();

  driver.createQueryRunner = () => gate.ownRunner() ?? new GatedQueryRunner(driver, gate, statementCache);

  // Prepared statements belong to the connection that prepared them.
  const disconnect = driver.disconnect.bind(driver);
  driver.disconnect = async () => {
    statementCache.clear();
    await disconnect();
  };

  // DataSource.transaction() delegates here; repositories share this manager too.
  const manager = dataSource.manager;
  const transaction = manager.transaction.bind(manager) as (...args: unknown[]) => Promise<unknown>;
  const scoped = (...args: unknown[]): Promise<unknown> =>
    gate.ownRunner() !== undefined ? transaction(...args) : gate.scopes.run({}, () => transaction(...args));
  (manager as { transaction: EntityManager["transaction"] }).transaction = scoped;
  return dataSource;
}
