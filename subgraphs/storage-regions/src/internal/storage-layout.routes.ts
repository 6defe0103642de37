import { assertServiceIdentity } from "@dgg/common";
import type { InternalRoute, StorageLayoutEntry } from "@dgg/common";
import type { StorageRegionsDeps } from "../context";

/**
 * The configured storage layout for governance (service identity only), which states it in
 * every export archive's report: the same source as `residency.locations`, so the report
 * and the API never disagree about where a category is kept.
 */
export function storageLayoutRoutes(deps: Pick<StorageRegionsDeps, "layout">): InternalRoute[] {
  return [
    {
      method: "get",
      path: "/storage-layout",
      handler({ viewer }): Promise<{ entries: readonly StorageLayoutEntry[] }> {
        assertServiceIdentity(viewer);
        return Promise.resolve({ entries: deps.layout.entries });
      },
    },
  ];
}
