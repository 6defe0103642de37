import { parseIsoDuration } from "@dgg/common";

/** Retention runs by itself once an hour unless told otherwise. */
export const DEFAULT_RETENTION_INTERVAL = "PT1H";
/** Shorter than a minute would only stack runs on each other. */
const MIN_INTERVAL_MS = 60_000;

/**
 * Reads RETENTION_INTERVAL: an ISO-8601 duration (`PT1H`, `PT15M`, `P1D`), or `off` for
 * on-demand runs only. Anything else stops the service at start with a message naming it.
 */
export function retentionIntervalFromEnv(env: NodeJS.ProcessEnv = process.env): number | null {
  const raw = env.RETENTION_INTERVAL?.trim() || DEFAULT_RETENTION_INTERVAL;
  if (raw.toLowerCase() === "off") return null;
  const ms = parseIsoDuration(raw);
  if (ms < MIN_INTERVAL_MS) throw new Error(`RETENTION_INTERVAL must be at least PT1M (or off), got ${JSON.stringify(raw)}`);
  return ms;
}
