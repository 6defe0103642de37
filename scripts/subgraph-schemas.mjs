// Where each subgraph's schema builder lives (compiled), keyed by its rover.yaml name.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

export const SUBGRAPH_BUILDERS = {
  users: () => require("../subgraphs/users/dist/schema.js").buildUsersSchema(),
  telemetry: () => require("../subgraphs/telemetry/dist/schema.js").buildTelemetrySchema(),
  audit: () => require("../subgraphs/audit/dist/schema.js").buildAuditSchema(),
  "storage-regions": () => require("../subgraphs/storage-regions/dist/schema.js").buildStorageRegionsSchema(),
  governance: () => require("../subgraphs/governance/dist/schema.js").buildGovernanceSchema(),
};
