import { assertServiceIdentity, BadUserInputError, quote } from "@dgg/common";
import type { InternalRoute } from "@dgg/common";
import type { EngineDeps } from "../privacy/engine/engine-deps";
import { purgeExpiredEvidence } from "../privacy/engine/evidence-purge";
import type { EvidencePurgeResult } from "../privacy/engine/evidence-purge";

/** Governance's own internal routes (beside the GraphQL API): called by retention, in this or another replica. */
export function evidenceRoutes(deps: EngineDeps): InternalRoute[] {
  return [
    {
      // Archives and receipts past their keep period.
      method: "post",
      path: "/privacy/purge-expired",
      async handler({ viewer, body }): Promise<EvidencePurgeResult> {
        assertServiceIdentity(viewer);
        return purgeExpiredEvidence(deps, parseAsOf(body));
      },
    },
  ];
}

function parseAsOf(body: unknown): Date {
  const raw = (body as { asOf?: unknown } | null)?.asOf;
  const asOf = typeof raw === "string" ? new Date(raw) : new Date(Number.NaN);
  if (Number.isNaN(asOf.getTime())) throw new BadUserInputError(`asOf must be an ISO time, got ${quote(raw)}`, "asOf");
  return asOf;
}
