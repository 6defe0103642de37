import { DataCategory } from "@dgg/common";
import type { CategoryCount } from "@dgg/common";
import type { PersonalDataContractClient } from "./personal-data-contract-client";

/**
 * Erases (or, for audit, pseudonymises) the user in every data subgraph, one after the other
 * in erasure order, each subgraph's counts kept apart; idempotent. The audit trail is given
 * the person's identifiers so that entries quoting them are redacted. For erasures outside a
 * privacy request (retention of removed users, the ledger's replay); a request's erasure goes
 * step by step with checkpoints (privacy/engine/erase-step.ts).
 */
export async function eraseEverywhere(contract: PersonalDataContractClient, userId: string, tenantId: string, pseudonym: string): Promise<{ subgraph: string; erased: CategoryCount[] }[]> {
  const results: { subgraph: string; erased: CategoryCount[] }[] = [];
  for (const subgraph of contract.inErasureOrder()) {
    const identifiers = subgraph.categories.includes(DataCategory.AUDIT_LOG) ? await contract.identifiers(userId, tenantId) : [];
    results.push({ subgraph: subgraph.name, erased: await contract.eraseIn(subgraph, userId, tenantId, pseudonym, identifiers) });
  }
  return results;
}
