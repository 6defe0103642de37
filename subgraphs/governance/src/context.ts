import DataLoader from "dataloader";
import type { KeyLike } from "jose";
import type { TenantDirectoryClient, Viewer } from "@dgg/common";
import { In } from "typeorm";
import { PrivacyReceiptRecord } from "./entities/privacy-receipt.entity";
import type { EngineDeps } from "./privacy/engine-deps";
import type { SubjectHoldings } from "./services/data-subgraphs";

/** What lives for the whole process. */
export interface GovernanceDeps extends EngineDeps {
  tenants: TenantDirectoryClient;
  /** Signs download links (governance's internal key). */
  linkSigningKey: KeyLike;
  /** Tells this replica's workers that a request was filed. */
  wakeWorkers(): void;
}

/** Per request: the viewer, its forwarded identity, and loaders. */
export interface GovernanceContext extends GovernanceDeps {
  viewer: Viewer;
  token: string;
  loaders: {
    /** What the data subgraphs hold about a user; the root field and `retention` share one fetch. */
    holdings: DataLoader<string, SubjectHoldings>;
    /** Receipts by request id, one query per batch. */
    receipts: DataLoader<string, PrivacyReceiptRecord | null>;
  };
}

export function createGovernanceContext(deps: GovernanceDeps, viewer: Viewer, token: string): GovernanceContext {
  return {
    ...deps,
    viewer,
    token,
    loaders: {
      // The contract is per user, so the batch fans out one holdings call per key, in parallel.
      holdings: new DataLoader((userIds) => Promise.all(userIds.map((userId) => deps.contract.holdings(userId)))),
      receipts: new DataLoader(async (requestIds) => {
        const rows = await deps.db.getRepository(PrivacyReceiptRecord).findBy({ requestId: In([...requestIds]) });
        const byId = new Map(rows.map((row) => [row.requestId, row]));
        return requestIds.map((requestId) => byId.get(requestId) ?? null);
      }),
    },
  };
}
