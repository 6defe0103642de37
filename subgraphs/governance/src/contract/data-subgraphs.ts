import { dataSubgraphEntries, SERVICES } from "@dgg/common";
import type { DataCategory, ServiceEntry } from "@dgg/common";

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

/** The services' base URLs by registry `urlKey` (`ServiceUrls` and any further registry entries'). */
export type DataSubgraphUrls = Readonly<Record<string, string | undefined>>;

/**
 * The data subgraphs of this deployment: every entry of the service registry
 * (packages/common/src/service-registry.ts) that declares the data it holds. Nothing else in
 * governance names them, so a new data subgraph is one more entry there.
 */
export function dataSubgraphs(urls: DataSubgraphUrls, services: readonly ServiceEntry[] = SERVICES): DataSubgraph[] {
  return dataSubgraphEntries(services).map((entry) => {
    const url = urls[entry.urlKey];
    if (!url) throw new Error(`no URL for data subgraph ${entry.name} (set ${entry.urlVar})`);
    return { name: entry.name, url, categories: [...entry.data.categories], purgesByAge: entry.data.purgesByAge, eraseOrder: entry.data.eraseOrder };
  });
}
