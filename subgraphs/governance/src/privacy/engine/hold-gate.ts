import { PrivacyRequestStatus } from "@dgg/common";
import { IsNull } from "typeorm";
import type { EntityManager } from "typeorm";
import { LegalHoldRecord } from "../../entities/legal-hold.entity";
import type { PrivacyRequestRecord } from "../../entities/privacy-request.entity";
import type { EngineDeps } from "./engine-deps";
import { updateOwnedRequest, writeCheckpoint, writeStep } from "./queue";
import type { Checkpoint, RequestChanges } from "./queue";

/** The user's active legal hold, read inside the caller's transaction. */
export function activeHoldIn(manager: EntityManager, userId: string): Promise<LegalHoldRecord | null> {
  return manager.findOneBy(LegalHoldRecord, { userId, liftedAt: IsNull() });
}

/** Locks the request row (fenced on our lease) for the rest of the transaction, changing nothing. */
function lockOwnedRequest(manager: EntityManager, request: PrivacyRequestRecord, worker: string): Promise<void> {
  return updateOwnedRequest(manager, request, worker, { eventSeq: () => "event_seq" });
}

/**
 * Takes a step that a legal hold must be able to stop (starting the export, starting the
 * erasure), unless the user is held, in which case the request goes ON_HOLD instead and
 * remembers where to resume. Returns the hold that stopped it, or null if the step was taken.
 *
 * Serialised with placeLegalHold on both engines and across replicas: the first statement
 * updates the request row (PostgreSQL: a row lock held to commit; SQLite: the database's
 * write lock), and placeLegalHold takes the same row lock before it checks the request's
 * status. Whichever commits second sees the other's write: a hold committed first is read
 * here by a statement that runs after the lock; an erasure committed first makes the hold
 * answer CONFLICT. See docs/decisions/0034.
 */
export async function stepUnlessHeld(deps: EngineDeps, request: PrivacyRequestRecord, worker: string, next: Checkpoint): Promise<LegalHoldRecord | null> {
  const at = deps.clock.now();
  const outcome = await deps.db.transaction(async (manager) => {
    await lockOwnedRequest(manager, request, worker);
    const hold = await activeHoldIn(manager, request.userId);
    if (hold) {
      const held: RequestChanges = {
        status: PrivacyRequestStatus.ON_HOLD,
        resumeStatus: request.status,
        // The wait is not a failure: the resumed request gets its full set of attempts.
        attempts: 0,
        nextAttemptAt: null,
        leaseOwner: null,
        leaseExpiresAt: null,
      };
      const seq = await writeCheckpoint(manager, request, worker, at, "ON_HOLD", held, { holdId: hold.id, stopped: next.step, resumeAt: request.status });
      return { hold, applied: held, seq };
    }
    const seq = await writeStep(manager, request, worker, at, next);
    return { hold: null, applied: next.changes, seq };
  });
  Object.assign(request, outcome.applied, { eventSeq: outcome.seq });
  return outcome.hold;
}
