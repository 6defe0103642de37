import type { PrivacyRequestRecord } from "../../entities/privacy-request.entity";
import type { EngineDeps } from "./engine-deps";

/**
 * Freezes the request's subject in every data subgraph (GDPR Art. 18): from the moment each
 * call returns, that subgraph refuses new personal data about the user, atomically with its
 * own writes. Idempotent, so it runs at filing (at once, best effort) and again before the
 * export starts (a subgraph that was down then is frozen now). The export that follows is
 * therefore a snapshot: the subject's rows can only shrink (retention), never grow, until
 * the request ends, and erasing "everything about the user" erases exactly what was exported.
 */
export async function freezeSubject(deps: Pick<EngineDeps, "contract">, request: Pick<PrivacyRequestRecord, "id" | "userId" | "tenantId">): Promise<void> {
  for (const subgraph of deps.contract.subgraphs) await deps.contract.freeze(subgraph, request.userId, request.tenantId, request.id);
}

/** Lifts the request's freeze everywhere (the request ended); idempotent. */
export async function thawSubject(deps: Pick<EngineDeps, "contract">, request: Pick<PrivacyRequestRecord, "id" | "userId" | "tenantId">): Promise<void> {
  for (const subgraph of deps.contract.subgraphs) await deps.contract.unfreeze(subgraph, request.userId, request.tenantId, request.id);
}
