import { randomUUID } from "node:crypto";
import { PrivacyRequestStatus } from "@dgg/common";
import type { CategoryCount, DataCategory } from "@dgg/common";
import type { PrivacyRequestRecord } from "../entities/privacy-request.entity";
import type { DataSubgraph } from "../services/data-subgraphs";
import type { EraseCheckpoint } from "./checkpoint";
import type { EngineDeps } from "./engine-deps";
import { recordErasedSubject } from "./ledger";
import { checkpoint } from "./queue";

/**
 * Erasure order: the account goes last, so that while any data is left the request's
 * subject still resolves to its tenant everywhere.
 */
const ERASE_ORDER = ["telemetry", "audit", "users"];

function orderedSubgraphs(deps: EngineDeps): DataSubgraph[] {
  const rank = (name: string) => (ERASE_ORDER.includes(name) ? ERASE_ORDER.indexOf(name) : -1);
  return [...deps.contract.subgraphs].sort((a, b) => rank(a.name) - rank(b.name));
}

/**
 * EXPORTED → ERASING, or back to EXPORTING. Refuses without a verified archive. If a
 * store now holds more records of a category than the archive has (data arrived after the
 * export), only those categories are exported again: nothing is erased that is not in the
 * copy. Entering ERASING records the person in the erasure ledger in the same transaction.
 */
export async function startErasure(deps: EngineDeps, request: PrivacyRequestRecord, worker: string): Promise<void> {
  if (!request.verifiedAt || !request.exportSha256 || !request.exportCounts) {
    throw new Error(`refusing to erase user ${request.userId}: privacy request ${request.id} has no verified archive`);
  }
  const holdings = await deps.contract.holdings(request.userId, request.tenantId);
  const exported = new Map(request.exportCounts.map((count) => [count.category, count.count]));
  const stale: DataCategory[] = [];
  for (const [category, held] of holdings.categories) if (held.records > (exported.get(category) ?? 0)) stale.push(category);
  if (stale.length > 0) {
    await checkpoint(
      deps.tx,
      request,
      worker,
      deps.clock.now(),
      "ARCHIVE_STALE",
      {
        status: PrivacyRequestStatus.EXPORTING,
        verifiedAt: null,
        checkpoint: {
          ...request.checkpoint,
          exportFinishedAt: null,
          files: request.checkpoint.files.map((file) =>
            stale.includes(file.category) ? { ...file, records: 0, bytes: 0, cursor: null, exhausted: false, complete: false, sha256: null } : file,
          ),
        },
      },
      { categories: stale },
    );
    return;
  }
  const now = deps.clock.now();
  await checkpoint(
    deps.tx,
    request,
    worker,
    now,
    "ERASE_STARTED",
    {
      status: PrivacyRequestStatus.ERASING,
      erasureStartedAt: now,
      checkpoint: {
        ...request.checkpoint,
        erasures: orderedSubgraphs(deps).map((subgraph) => ({ subgraph: subgraph.name, startedAt: null, before: null, erasedAt: null, erased: null })),
      },
    },
    { manifestSha256: request.exportSha256 },
    (manager) => recordErasedSubject(manager, deps.ledgerKey, request.userId, now),
  );
  deps.faults.hit("erase.started");
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

/** ERASING: erases in each data subgraph not yet done, checkpointing before and after every call. */
export async function eraseSubgraphs(deps: EngineDeps, request: PrivacyRequestRecord, worker: string): Promise<void> {
  for (const subgraph of orderedSubgraphs(deps)) {
    const update = async (step: string, next: EraseCheckpoint, detail: Record<string, unknown>) => {
      await checkpoint(deps.tx, request, worker, deps.clock.now(), step, {
        checkpoint: { ...request.checkpoint, erasures: request.checkpoint.erasures.map((entry) => (entry.subgraph === subgraph.name ? next : entry)) },
      }, { subgraph: subgraph.name, ...detail });
    };
    let state = request.checkpoint.erasures.find((entry) => entry.subgraph === subgraph.name);
    if (!state) throw new Error(`privacy request ${request.id} has no erasure checkpoint for subgraph ${subgraph.name}`);
    if (state.erasedAt) continue;
    const resumed = state.startedAt !== null;
    if (!resumed) {
      const before = await deps.contract.holdingsIn(subgraph, request.userId, request.tenantId);
      state = { ...state, startedAt: deps.clock.now().getTime(), before };
      await update("SUBGRAPH_ERASE_STARTED", state, { before });
      deps.faults.hit("erase.subgraph-started");
    }
    // A fresh random pseudonym per call: it cannot be computed from the user id and is stored nowhere.
    const result = await deps.contract.eraseIn(subgraph, request.userId, request.tenantId, `pseudonym:${randomUUID()}`);
    deps.faults.hit("erase.subgraph-called");
    const erased = settle(state.before, result, resumed);
    await update("SUBGRAPH_ERASED", { ...state, erasedAt: deps.clock.now().getTime(), erased }, { erased, resumed });
    deps.faults.hit("erase.subgraph-checkpointed");
  }
}
