import { DAY_MS } from "./clock";

/**
 * The seed's three clocks, one definition for the subgraphs that purge and for governance,
 * which plans the runs and shows the dates. Data is purged once it is strictly older than
 * its period: a telemetry event recorded exactly 30 days ago is kept, one a millisecond older goes.
 */
export const TELEMETRY_RETENTION_MS = 30 * DAY_MS;
export const REMOVED_USER_RETENTION_MS = 30 * DAY_MS;
export const AUDIT_RETENTION_MS = 365 * DAY_MS;
