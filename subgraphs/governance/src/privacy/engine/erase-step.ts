import { randomUUID } from "node:crypto";
import { PrivacyRequestStatus } from "@dgg/common";
import { DataCategory } from "@dgg/common";
import type { CategoryCount } from "@dgg/common";
import type { PrivacyRequestRecord } from "../../entities/privacy-request.entity";
import type { DataSubgraph } from "../../contract/data-subgraphs";
import type { EraseCheckpoint } from "./checkpoint";
import { stepUnlessHeld } from "./hold-gate";
import type { EngineDeps } from "./engine-deps";
import { recordErasedSubject } from "./ledger";
import { checkpoint } from "./queue";

/**
 * EXPORTED → ERASING, or EXPORTED → ON_HOLD when a legal hold is in place. Refuses without a
 * verified archive. The subject has been frozen since before the export began, so the
 * frozen categories can only have shrunk (retention) since: a store holding more records
 * than the archive means the freeze was broken, and nothing is erased (the attempt fails
 * loudly instead of exporting again and again). Audit entries are not frozen: entries
 * written after the export (officers' reads, this request's own events) are pseudonymised
 * with the rest. Entering ERASING records the person in the erasure ledger in the same
 * transaction.
 */
export async function startErasure(deps: EngineDeps, request: PrivacyRequestRecord, worker: string): Promise<void> {
  if (!request.verifiedAt || !request.exportSha256 || !request.exportCounts) {
    throw new Error(`refusing to erase user ${request.userId}: privacy request ${request.id} has no verified archive`);
  }
  const holdings = await deps.contract.holdings(request.userId, request.tenantId);
  const exported = new Map(request.exportCounts.map((count) => [count.category, count.count]));
  const grown = [...holdings.categories]
    .filter(([category, held]) => category !== DataCategory.AUDIT_LOG && held.records > (exported.get(category) ?? 0))
    .map(([category, held]) => `${category}: ${held.records} held, ${exported.get(category) ?? 0} exported`);
  if (grown.length > 0) {
    throw new Error(`refusing to erase user ${request.userId}: records arrived after the freeze of privacy request ${request.id} (${grown.join("; ")})`);
  }
  const now = deps.clock.now();
  const hold = await stepUnlessHeld(deps, request, worker, {
    step: "ERASE_STARTED",
    changes: {
      status: PrivacyRequestStatus.ERASING,
      erasureStartedAt: now,
      checkpoint: {
        ...request.checkpoint,
        erasures: deps.contract.inErasureOrder().map((subgraph) => ({ subgraph: subgraph.name, startedAt: null, before: null, erasedAt: null, erased: null })),
      },
    },
    detail: { manifestSha256: request.exportSha256 },
    extra: (manager) => recordErasedSubject(manager, deps.ledgerKey, request.userId, now),
  });
  if (!hold) deps.faults.hit("erase.started");
}

/**
 * A call that may already have reached the subgraph before a crash cannot tell us what it
 * erased (the second call finds nothing). What was held just before the first call, taken
 * per category with the larger of the two, counts each record once and loses none.
 */
function settle(before: CategoryCount[] | null, result: CategoryCount[], resumed: boolean): CategoryCount[] {
  if (!resumed || !before) return result;
  return result.map(({ category, count }) => ({ category, count: Math.max(count, before.find((entry) => entry.category === category)?.count ?? 0) }));
}

/**
 * The clear-text values that name the person (principal name, email, display name, device
 * serials), asked of the data subgraphs just before the audit trail is pseudonymised, so
 * that entries quoting them are redacted too. Held in memory for that one call, never
 * stored. The account is erased last, so they are still there to be asked for.
 */
async function identifiersFor(deps: EngineDeps, subgraph: DataSubgraph, request: PrivacyRequestRecord): Promise<string[]> {
  return subgraph.categories.includes(DataCategory.AUDIT_LOG) ? deps.contract.identifiers(request.userId, request.tenantId) : [];
}

/**
 * ERASING: erases in each data subgraph not yet done, wave by wave (the subgraphs of one
 * erase order at the same time), checkpointing before and after every call. The checkpoints
 * of a wave are written one at a time, each from the request as the last one left it, so
 * that one subgraph's record never overwrites another's. A wave ends when every call in it
 * has ended: a failure is thrown only then, so no call of an ended attempt is still running.
 */
export async function eraseSubgraphs(deps: EngineDeps, request: PrivacyRequestRecord, worker: string): Promise<void> {
  let written: Promise<void> = Promise.resolve();
  const update = (subgraph: DataSubgraph, step: string, next: EraseCheckpoint, detail: Record<string, unknown>): Promise<void> => {
    const write = async () => {
      await checkpoint(deps.db, request, worker, deps.clock.now(), step, {
        checkpoint: { ...request.checkpoint, erasures: request.checkpoint.erasures.map((entry) => (entry.subgraph === subgraph.name ? next : entry)) },
      }, { subgraph: subgraph.name, ...detail });
    };
    written = written.then(write, write);
    return written;
  };
  const eraseOne = async (subgraph: DataSubgraph) => {
    let state = request.checkpoint.erasures.find((entry) => entry.subgraph === subgraph.name);
    if (!state) throw new Error(`privacy request ${request.id} has no erasure checkpoint for subgraph ${subgraph.name}`);
    if (state.erasedAt) return;
    const resumed = state.startedAt !== null;
    if (!resumed) {
      const before = await deps.contract.holdingsIn(subgraph, request.userId, request.tenantId);
      state = { ...state, startedAt: deps.clock.now().getTime(), before };
      await update(subgraph, "SUBGRAPH_ERASE_STARTED", state, { before });
      deps.faults.hit("erase.subgraph-started");
    }
    // A fresh random pseudonym per call: it cannot be computed from the user id and is stored nowhere.
    const result = await deps.contract.eraseIn(subgraph, request.userId, request.tenantId, `pseudonym:${randomUUID()}`, await identifiersFor(deps, subgraph, request));
    deps.faults.hit("erase.subgraph-called");
    const erased = settle(state.before, result, resumed);
    await update(subgraph, "SUBGRAPH_ERASED", { ...state, erasedAt: deps.clock.now().getTime(), erased }, { erased, resumed });
    deps.faults.hit("erase.subgraph-checkpointed");
  };
  for (const wave of deps.contract.inErasureWaves()) {
    const outcomes = await Promise.allSettled(wave.map(eraseOne));
    const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === "rejected");
    if (failed) throw failed.reason;
  }
}
