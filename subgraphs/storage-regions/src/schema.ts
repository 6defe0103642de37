import { buildFederatedSchema } from "@dgg/common";
import type { FederatedSchema } from "@dgg/common";
import { PersonalData } from "./types/personal-data.type";
import { PersonalDataResolver } from "./resolvers/personal-data.resolver";
import { referenceResolvers } from "./resolvers/references";
import { TenantResolver } from "./resolvers/tenant.resolver";
import { ResidencyMoveResolver } from "./resolvers/residency-move.resolver";

/** The storage-regions subgraph: the tenant directory and where each person's data lives. */
export function buildStorageRegionsSchema(): Promise<FederatedSchema> {
  return buildFederatedSchema({ resolvers: [TenantResolver, ResidencyMoveResolver, PersonalDataResolver], orphanedTypes: [PersonalData] }, referenceResolvers);
}
