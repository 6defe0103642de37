import { contextOfTraceparent, isTenantMovingError, PrivacyRequestKind, PrivacyRequestStatus, withSpan } from "@dgg/common";
import { PrivacyRequestRecord } from "../../entities/privacy-request.entity";
import type { EngineDeps } from "./engine-deps";
import { eraseSubgraphs, startErasure } from "./erase-step";
import { exportAllCategories, startExport } from "./export-step";
import { finishAccess, finishRequest, releaseFreeze } from "./finish-step";
import { checkpoint, claimNext, LeaseLostError, renewLease } from "./queue";
import { WITHDRAWN_STATUSES, WORKABLE_STATUSES } from "./statuses";
import { verifyAndSeal } from "./verify-step";

/** Denied or canceled: the only work left is lifting the freeze, retried (capped backoff) until it is done; such a request never becomes FAILED. */
const isWithdrawn = (request: PrivacyRequestRecord) => (WITHDRAWN_STATUSES as readonly PrivacyRequestStatus[]).includes(request.status);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Delay before attempt n+1: doubling from the base, capped. */
export function backoffMs(attempts: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
}

/**
 * The privacy-request workers of one governance replica: `concurrency` loops that claim
 * a request from the shared queue, run it to its end or to its next failure, and claim
 * the next. Replicas coordinate only through the database (leases); see docs/decisions/0030.
 */
export class PrivacyWorkers {
  private running = false;
  private loops: Promise<void>[] = [];
  private wakers = new Set<() => void>();

  constructor(private readonly deps: EngineDeps) {}

  get workerId(): string {
    return this.deps.privacy.workerId;
  }

  start(): void {
    if (this.running || this.deps.privacy.concurrency === 0) return;
    this.running = true;
    for (let slot = 0; slot < this.deps.privacy.concurrency; slot += 1) this.loops.push(this.loop(`${this.workerId}#${slot}`));
  }

  /** Stops claiming and waits for the requests in hand to reach a checkpoint-safe end. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await Promise.all(this.loops);
    this.loops = [];
  }

  /** A request was filed here: look now rather than at the next poll. */
  wake(): void {
    for (const waker of this.wakers) waker();
  }

  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakers.add(done);
    });
  }

  private async loop(worker: string): Promise<void> {
    while (this.running) {
      let claimed: string | null = null;
      try {
        claimed = await claimNext(this.deps.db, worker, this.deps.clock.now(), this.deps.privacy.leaseMs);
        if (claimed) await this.work(claimed, worker);
      } catch (error) {
        this.deps.log.error({ err: error, worker }, "privacy worker failed");
        await sleep(this.deps.privacy.pollMs);
      }
      if (!claimed && this.running) await this.idle(this.deps.privacy.pollMs);
    }
  }

  /** Runs one claimed request; the lease is renewed in the background while it runs. */
  async work(requestId: string, worker: string): Promise<void> {
    const { deps } = this;
    const request = await deps.db.getRepository(PrivacyRequestRecord).findOneByOrFail({ id: requestId });
    let lost = false;
    const heartbeat = setInterval(() => {
      renewLease(deps.db, requestId, worker, deps.clock.now(), deps.privacy.leaseMs).then(
        (held) => {
          lost ||= !held;
        },
        () => undefined,
      );
    }, Math.max(50, Math.floor(deps.privacy.leaseMs / 3)));
    try {
      // The work continues the trace of the request that filed it (docs/decisions/0048).
      const attributes = { "dgg.privacy_request.id": request.id, "dgg.privacy_request.kind": request.kind, "dgg.privacy_request.status": request.status };
      await withSpan("privacy request", { parent: contextOfTraceparent(request.traceParent), attributes }, async () => {
        await checkpoint(deps.db, request, worker, deps.clock.now(), "CLAIMED", {}, { attempt: request.attempts, status: request.status });
        deps.faults.hit("claim.after");
        if (request.attempts > deps.privacy.maxAttempts && !isWithdrawn(request)) {
          // Only a worker that died mid-way gets here: its claims counted, its failures were never recorded.
          throw new Error(`gave up after ${request.attempts - 1} attempts that ended without a recorded outcome (worker crashes)`);
        }
        await this.advance(request, worker, () => lost);
      });
    } catch (error) {
      if (error instanceof LeaseLostError) {
        deps.log.warn({ privacyRequestId: requestId, worker }, "lost the lease of a privacy request; leaving it to its new owner");
        return;
      }
      await this.recordFailure(request, worker, error).catch((failure: unknown) => {
        deps.log.error({ err: failure, privacyRequestId: requestId, worker }, "could not record the failure of a privacy request");
      });
    } finally {
      clearInterval(heartbeat);
    }
  }

  private async advance(request: PrivacyRequestRecord, worker: string, leaseLost: () => boolean): Promise<void> {
    const { deps } = this;
    if (isWithdrawn(request)) {
      // Denied or canceled (claimed because its freeze is still in place): lift it, nothing else.
      await step("privacy release freeze", () => releaseFreeze(deps, request, worker));
      return;
    }
    if (request.status === PrivacyRequestStatus.ON_HOLD) {
      // Claimed because its hold was lifted (queue.ts): resume where it stopped. A hold placed
      // again since is caught by the next step's gate.
      await checkpoint(deps.db, request, worker, deps.clock.now(), "RESUMED", { status: request.resumeStatus ?? PrivacyRequestStatus.RECEIVED, resumeStatus: null });
    }
    // Until it completes, or stops for a legal hold (ON_HOLD resumes when the hold is lifted).
    while ((WORKABLE_STATUSES as readonly PrivacyRequestStatus[]).includes(request.status)) {
      if (leaseLost()) throw new LeaseLostError(request.id, worker);
      switch (request.status) {
        case PrivacyRequestStatus.RECEIVED:
          await step("privacy start export", () => startExport(deps, request, worker));
          break;
        case PrivacyRequestStatus.EXPORTING:
          await step("privacy export", () => exportAllCategories(deps, request, worker));
          await step("privacy verify", () => verifyAndSeal(deps, request, worker));
          break;
        case PrivacyRequestStatus.EXPORTED:
          if (request.kind === PrivacyRequestKind.ACCESS) await step("privacy finish access", () => finishAccess(deps, request, worker));
          else await step("privacy start erasure", () => startErasure(deps, request, worker));
          break;
        case PrivacyRequestStatus.ERASING:
          await step("privacy erase", () => eraseSubgraphs(deps, request, worker));
          await step("privacy finish", () => finishRequest(deps, request, worker));
          break;
      }
    }
  }

  /**
   * A failed attempt: the request keeps its step and waits (exponential backoff), or,
   * after the last attempt, becomes FAILED with the reason and the step to resume at.
   */
  private async recordFailure(request: PrivacyRequestRecord, worker: string, error: unknown): Promise<void> {
    const { deps } = this;
    const reason = (error instanceof Error ? error.message : String(error)).slice(0, 2000);
    const now = deps.clock.now();
    // The reason goes to the request's history (its readers may see it); the log keeps the error's class and code.
    deps.log.warn({ err: error, privacyRequestId: request.id, attempts: request.attempts, worker }, "privacy request attempt failed");
    if (isTenantMovingError(error)) {
      // The tenant's data is moving to another region (docs/decisions/0043): its stores answer
      // UNAVAILABLE until the move switches, however long it takes. Waiting for it is not a
      // failed attempt, so a long move cannot exhaust the request's attempts.
      const next = new Date(now.getTime() + backoffMs(Math.max(1, request.attempts - 1), deps.privacy.retryBaseMs, deps.privacy.retryMaxMs));
      await checkpoint(deps.db, request, worker, now, "WAITING_FOR_MOVE", { attempts: request.attempts - 1, error: reason, lastErrorAt: now, nextAttemptAt: next, leaseExpiresAt: null }, {
        reason,
        nextAttemptAt: next.toISOString(),
      });
      return;
    }
    if (request.attempts >= deps.privacy.maxAttempts && !isWithdrawn(request)) {
      await checkpoint(deps.db, request, worker, now, "FAILED", {
        status: PrivacyRequestStatus.FAILED,
        resumeStatus: request.status,
        error: reason,
        lastErrorAt: now,
        failedAt: now,
        nextAttemptAt: null,
        leaseExpiresAt: null,
        // A FAILED request's archive (whole or partial) expires like a completed one's; a retry clears the date.
        archiveExpiresAt: new Date(now.getTime() + deps.privacy.archiveRetentionMs),
      }, { reason, attempts: request.attempts });
      await deps.audit
        .record(await deps.serviceToken(), [
          { tenantId: request.tenantId, action: "PRIVACY_REQUEST_FAILED", subjectUserId: null, details: { requestId: request.id, reason } },
        ])
        .catch((failure: unknown) => deps.log.error({ err: failure, privacyRequestId: request.id }, "could not audit the failure of a privacy request"));
      return;
    }
    const next = new Date(now.getTime() + backoffMs(request.attempts, deps.privacy.retryBaseMs, deps.privacy.retryMaxMs));
    await checkpoint(deps.db, request, worker, now, "ATTEMPT_FAILED", { error: reason, lastErrorAt: now, nextAttemptAt: next, leaseExpiresAt: null }, {
      reason,
      attempts: request.attempts,
      nextAttemptAt: next.toISOString(),
    });
  }
}

/** One step of a request's work as a span of its trace. */
function step(name: string, work: () => Promise<unknown>): Promise<unknown> {
  return withSpan(name, {}, work);
}
