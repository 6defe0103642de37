import { In } from "typeorm";
import type { DataSource } from "typeorm";
import type { Clock, ServiceLogger } from "@dgg/common";
import type { WebhookConfig } from "./config";
import { claimDue, recordOutcome } from "./delivery-queue";
import type { AttemptOutcome, ClaimedDelivery } from "./delivery-queue";
import { sweepOverdue } from "./overdue-sweep";
import { postWebhook } from "./post";
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signatureHeader } from "./signature";
import { parseWebhookUrl, resolveWebhookTarget } from "./url-policy";
import { WebhookDeliveryStatus } from "./webhook-event";
import { WebhookRecord } from "./webhook.entity";

export interface DispatcherDeps {
  db: DataSource;
  clock: Clock;
  config: WebhookConfig;
  /** This replica's name on its claims. */
  owner: string;
  log: ServiceLogger;
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The webhook dispatcher of one governance replica: a loop that announces overdue requests,
 * claims due deliveries (up to `concurrency` in flight), POSTs each signed, and records the
 * outcome. Woken when a transaction enqueues deliveries, and when a POST ends (a slot is
 * free, and the request's next delivery may now go); otherwise it polls. Replicas share the
 * work through the outbox's leases only.
 */
export class WebhookDispatcher {
  private running = false;
  private loop: Promise<void> | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private woken = false;
  private wakeUp: (() => void) | null = null;
  private lastSweep = 0;

  constructor(private readonly deps: DispatcherDeps) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops claiming and waits for the POSTs in flight (each bounded by the timeout) to be recorded. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    this.loop = null;
    await Promise.all(this.inFlight);
  }

  /** Deliveries were enqueued or a slot came free: look now rather than at the next poll. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** Announces the requests that became overdue (the loop does so at most once per poll interval). */
  sweepOverdue(): Promise<number> {
    return sweepOverdue(this.deps.db, this.deps.clock.now());
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.woken = false;
      try {
        if (Date.now() - this.lastSweep >= this.deps.config.pollMs) {
          this.lastSweep = Date.now();
          await this.sweepOverdue();
        }
        await this.claimAndSend();
      } catch (error) {
        this.deps.log.error({ err: error, owner: this.deps.owner }, "webhook dispatcher failed");
      }
      if (this.running && !this.woken) await this.idle(this.deps.config.pollMs);
    }
  }

  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }

  private async claimAndSend(): Promise<void> {
    const { db, clock, config, owner } = this.deps;
    const free = config.concurrency - this.inFlight.size;
    if (free <= 0) return;
    const claimed = await claimDue(db, owner, clock.now(), config.leaseMs, free);
    if (claimed.length === 0) return;
    const webhooks = await db.getRepository(WebhookRecord).findBy({ id: In([...new Set(claimed.map((delivery) => delivery.webhookId))]) });
    const byId = new Map(webhooks.map((webhook) => [webhook.id, webhook]));
    for (const delivery of claimed) {
      const attempt: Promise<void> = this.attempt(delivery, byId.get(delivery.webhookId) ?? null)
        .catch((error: unknown) => this.deps.log.error({ err: error, deliveryId: delivery.id }, "could not record a webhook delivery attempt"))
        .finally(() => {
          this.inFlight.delete(attempt);
          this.wake();
        });
      this.inFlight.add(attempt);
    }
  }

  /** One POST of one delivery, and its outcome recorded. */
  private async attempt(delivery: ClaimedDelivery, webhook: WebhookRecord | null): Promise<void> {
    const { db, clock, config, owner } = this.deps;
    if (!webhook || webhook.deletedAt) {
      // Nothing goes to an endpoint its tenant removed: final at once, as if its attempts were used up.
      await recordOutcome(db, { ...delivery, attempts: config.maxAttempts }, owner, clock.now(), { delivered: false, status: null, error: "the webhook was deleted" }, config);
      return;
    }
    const outcome: AttemptOutcome = await this.send(delivery, webhook);
    const status = await recordOutcome(db, delivery, owner, clock.now(), outcome, config);
    if (status === WebhookDeliveryStatus.FAILED) {
      // The endpoint's answer stays in the delivery's record (its tenant reads it there), not in the log.
      this.deps.log.warn({ deliveryId: delivery.id, event: delivery.event, webhookId: delivery.webhookId, attempts: delivery.attempts, status: outcome.status }, "webhook delivery failed for good");
    }
  }

  private async send(delivery: ClaimedDelivery, webhook: WebhookRecord): Promise<AttemptOutcome> {
    const { clock, config } = this.deps;
    try {
      const url = parseWebhookUrl(webhook.url);
      // Resolved and checked again now, and the POST connects to the address checked (DNS rebinding).
      const target = await resolveWebhookTarget(url, config);
      const headers = {
        "content-type": "application/json",
        "user-agent": "dgg-webhooks/1",
        [SIGNATURE_HEADER]: signatureHeader(webhook.signingSecret, delivery.body, clock.now()),
        [EVENT_HEADER]: delivery.event,
        [DELIVERY_HEADER]: delivery.id,
      };
      const { status } = await postWebhook(url, target, headers, delivery.body, config.timeoutMs);
      if (status >= 200 && status < 300) return { delivered: true, status };
      return { delivered: false, status, error: `the receiver answered HTTP ${status}` };
    } catch (error) {
      return { delivered: false, status: null, error: errorText(error) };
    }
  }
}
