#!/usr/bin/env node
// `npm run residency:check`: opens every region's store and archive folder directly and
// reports any row or archive of a tenant outside its elected region. Exit 1 if any.
// Reads the same configuration variables as the services (see README: Configuration).
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { checkResidency, residencyStoresFromEnv } = require("../packages/common/dist/index.js");

const report = await checkResidency(residencyStoresFromEnv(process.env));
for (const placement of report.misplaced) {
  console.error(
    `MISPLACED ${placement.count} ${placement.store} of tenant ${placement.tenantId} in ${placement.region} (elected: ${placement.elected ?? "unknown tenant"})`,
  );
}
for (const placement of report.inTransit) {
  console.log(`in transit: ${placement.count} ${placement.store} of tenant ${placement.tenantId} in ${placement.region}`);
}
console.log(
  `residency: ${report.rowsChecked} rows and ${report.archivesChecked} archive files checked, ${report.misplaced.length} misplaced, ${report.inTransit.length} in transit`,
);
process.exit(report.misplaced.length > 0 ? 1 : 0);
