import DataLoader from "dataloader";
import { ServiceError } from "@dgg/common";
import type { Viewer } from "@dgg/common";
import type { PersonalDataContractClient, SubjectHoldings } from "../contract/personal-data-contract-client";

/**
 * What the data subgraphs hold about a user; the root field and `retention` share one fetch.
 * The contract is per user, so a batch fans out one holdings call per key, in parallel.
 * Tenant-scoped viewers can only ever see their own tenant's users, so that tenant's region
 * is the one asked; a viewer without a tenant holds no subjects.
 */
export function createHoldingsLoader(contract: PersonalDataContractClient, viewer: Viewer): DataLoader<string, SubjectHoldings> {
  return new DataLoader((userIds) =>
    Promise.all(
      userIds.map(async (userId) => {
        const nothing: SubjectHoldings = { userId, tenantId: null, removedAt: null, categories: new Map(), totalRecords: 0 };
        if (!viewer.tenantId) return nothing;
        try {
          return await contract.holdings(userId, viewer.tenantId);
        } catch (error) {
          // A token naming a tenant the directory does not know holds no subjects.
          if (error instanceof ServiceError && error.code === "NOT_FOUND") return nothing;
          throw error;
        }
      }),
    ),
  );
}
