import type { EntityManager, EntitySubscriberInterface, TransactionCommitEvent, TransactionRollbackEvent } from "typeorm";

/** Set on a transaction's query runner when it enqueued deliveries. */
const ENQUEUED = "dggWebhookDeliveriesEnqueued";

/**
 * Wakes the dispatcher when a transaction that enqueued deliveries commits: earlier it could
 * not see them, later is the next poll. Callers of enqueueWebhookEvent need do nothing.
 */
export class WakeOnCommit implements EntitySubscriberInterface {
  constructor(readonly wake: () => void) {}

  afterTransactionCommit({ queryRunner }: TransactionCommitEvent): void {
    // A savepoint released inside a transaction still open is not a commit.
    if (queryRunner.isTransactionActive || !queryRunner.data?.[ENQUEUED]) return;
    delete queryRunner.data[ENQUEUED];
    this.wake();
  }

  afterTransactionRollback({ queryRunner }: TransactionRollbackEvent): void {
    if (!queryRunner.isTransactionActive && queryRunner.data) delete queryRunner.data[ENQUEUED];
  }
}

/** Registers `wake` to run after every commit that enqueued deliveries on this manager's DataSource. */
export function wakeOnCommit(manager: EntityManager, wake: () => void): void {
  manager.connection.subscribers.push(new WakeOnCommit(wake));
}

/** Marks the caller's transaction for a wake at its commit; outside a transaction the rows are committed already, so wakes now. */
export function wakeAfterCommit(manager: EntityManager): void {
  const runner = manager.queryRunner;
  if (runner?.isTransactionActive) {
    runner.data[ENQUEUED] = true;
    return;
  }
  for (const subscriber of manager.connection.subscribers) if (subscriber instanceof WakeOnCommit) subscriber.wake();
}
