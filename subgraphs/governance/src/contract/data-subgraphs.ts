import { dataSubgraphEntries } from "@dgg/common";
import type { DataCategory, ServiceUrls } from "@dgg/common";

/** A data subgraph governance drives through the internal personal-data contract. */
export interface DataSubgraph {
  name: string;
  url: string;
  categories: DataCategory[];
  /** Whether the subgraph expires rows by age (POST /internal/retention/purge). */
  purgesByAge: boolean;
  /** Its place in a user's erasure, lower first (the service registry explains the order). */
  eraseOrder: number;
}

/** The data subgraphs of this deployment, from the service registry (packages/common/src/service-registry.ts). */
export function dataSubgraphs(urls: Pick<ServiceUrls, "users" | "telemetry" | "audit">): DataSubgraph[] {
  return dataSubgraphEntries().map((entry) => ({
    name: entry.name,
    url: (urls as Record<string, string>)[entry.urlKey]!,
    categories: [...entry.data.categories],
    purgesByAge: entry.data.purgesByAge,
    eraseOrder: entry.data.eraseOrder,
  }));
}
