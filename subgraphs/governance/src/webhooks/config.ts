import type { Resolver } from "./url-policy";
import { systemResolver } from "./url-policy";

/** How webhooks are delivered; every value but the resolver has an environment variable (README: Configuration). */
export interface WebhookConfig {
  /** Production URL policy (NODE_ENV=production): https to public addresses only. */
  production: boolean;
  /** Starts the dispatcher with the service; off for one-shot tools. */
  dispatcher: boolean;
  /** How often an idle dispatcher looks for due deliveries and overdue requests. */
  pollMs: number;
  /** Time limit of one POST, from connecting to the answer's status. */
  timeoutMs: number;
  /** Attempts before a delivery is FAILED. */
  maxAttempts: number;
  /** Backoff after failed attempt n: base · 2^(n-1), capped at max. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** A claimed delivery is free again this long after its claim (a replica died mid-POST); must exceed timeoutMs. */
  leaseMs: number;
  /** POSTs in flight at once per replica. */
  concurrency: number;
  /** Live webhooks a tenant may have: each transition is one delivery per webhook. */
  maxPerTenant: number;
  resolve: Resolver;
}

export const DEFAULT_WEBHOOK_CONFIG: WebhookConfig = {
  production: false,
  dispatcher: true,
  pollMs: 1000,
  timeoutMs: 10_000,
  maxAttempts: 10,
  retryBaseMs: 30_000,
  retryMaxMs: 60 * 60_000,
  leaseMs: 60_000,
  concurrency: 8,
  maxPerTenant: 20,
  resolve: systemResolver,
};

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be an integer >= 1, got ${JSON.stringify(raw)}`);
  return value;
}

/** Reads WEBHOOK_* and NODE_ENV. */
export function webhookConfigFromEnv(env: NodeJS.ProcessEnv = process.env): WebhookConfig {
  const d = DEFAULT_WEBHOOK_CONFIG;
  const config: WebhookConfig = {
    ...d,
    production: env.NODE_ENV === "production",
    pollMs: positiveInt(env, "WEBHOOK_POLL_MS", d.pollMs),
    timeoutMs: positiveInt(env, "WEBHOOK_TIMEOUT_MS", d.timeoutMs),
    maxAttempts: positiveInt(env, "WEBHOOK_MAX_ATTEMPTS", d.maxAttempts),
    retryBaseMs: positiveInt(env, "WEBHOOK_RETRY_BASE_MS", d.retryBaseMs),
    retryMaxMs: positiveInt(env, "WEBHOOK_RETRY_MAX_MS", d.retryMaxMs),
    leaseMs: positiveInt(env, "WEBHOOK_LEASE_MS", d.leaseMs),
    concurrency: positiveInt(env, "WEBHOOK_CONCURRENCY", d.concurrency),
  };
  if (config.leaseMs <= config.timeoutMs) throw new Error(`WEBHOOK_LEASE_MS (${config.leaseMs}) must exceed WEBHOOK_TIMEOUT_MS (${config.timeoutMs}), or a slow POST could be sent twice at once`);
  return config;
}
