import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { DAY_MS, EXPORT_PAGE_LIMIT, parseIsoDuration } from "@dgg/common";

/** How the privacy-request engine runs; every value has an environment variable (README: Configuration). */
export interface PrivacyEngineConfig {
  /** Identifies this replica's workers in leases and the checkpoint log. */
  workerId: string;
  /** Requests one replica works on at once; 0 disables the workers (API only). */
  concurrency: number;
  pollMs: number;
  /** A claim lasts this long unless renewed; a dead worker's request is free again after it. */
  leaseMs: number;
  /** Attempts (claims) before a request becomes FAILED. */
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** Records per export page asked of a data subgraph (at most the contract's EXPORT_PAGE_LIMIT). */
  exportPageSize: number;
  /** Pages written between two export checkpoints. */
  checkpointPages: number;
  archiveRetentionMs: number;
  receiptRetentionMs: number;
  downloadLinkTtlMs: number;
  /** Base URL of the gateway as clients reach it; download links point there. */
  gatewayPublicUrl: string;
  /** Replays the erasure ledger when the service starts. */
  replayOnStart: boolean;
}

export const DEFAULT_PRIVACY_CONFIG: Omit<PrivacyEngineConfig, "workerId" | "gatewayPublicUrl"> = {
  concurrency: 2,
  pollMs: 1000,
  leaseMs: 30_000,
  maxAttempts: 8,
  retryBaseMs: 5000,
  retryMaxMs: 10 * 60_000,
  exportPageSize: EXPORT_PAGE_LIMIT,
  checkpointPages: 10,
  archiveRetentionMs: 30 * DAY_MS,
  receiptRetentionMs: 365 * DAY_MS,
  downloadLinkTtlMs: 5 * 60_000,
  replayOnStart: true,
};

/** A replica's name on a lease or claim: readable in messages, unique even for two instances in one process. */
export function newWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 1): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${min}, got ${JSON.stringify(raw)}`);
  return value;
}

function duration(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  return raw ? parseIsoDuration(raw) : fallback;
}

/** Reads PRIVACY_* and GATEWAY_PUBLIC_URL. */
export function privacyConfigFromEnv(env: NodeJS.ProcessEnv = process.env): PrivacyEngineConfig {
  const d = DEFAULT_PRIVACY_CONFIG;
  const pageSize = positiveInt(env, "PRIVACY_EXPORT_PAGE_SIZE", d.exportPageSize);
  if (pageSize > EXPORT_PAGE_LIMIT) throw new Error(`PRIVACY_EXPORT_PAGE_SIZE must be at most ${EXPORT_PAGE_LIMIT} (the contract's page limit), got ${pageSize}`);
  return {
    workerId: env.PRIVACY_WORKER_ID ?? newWorkerId(),
    concurrency: positiveInt(env, "PRIVACY_WORKERS", d.concurrency, 0),
    pollMs: positiveInt(env, "PRIVACY_POLL_MS", d.pollMs),
    leaseMs: positiveInt(env, "PRIVACY_LEASE_MS", d.leaseMs, 100),
    maxAttempts: positiveInt(env, "PRIVACY_MAX_ATTEMPTS", d.maxAttempts),
    retryBaseMs: positiveInt(env, "PRIVACY_RETRY_BASE_MS", d.retryBaseMs),
    retryMaxMs: positiveInt(env, "PRIVACY_RETRY_MAX_MS", d.retryMaxMs),
    exportPageSize: pageSize,
    checkpointPages: positiveInt(env, "PRIVACY_CHECKPOINT_PAGES", d.checkpointPages),
    archiveRetentionMs: duration(env, "PRIVACY_ARCHIVE_RETENTION", d.archiveRetentionMs),
    receiptRetentionMs: duration(env, "PRIVACY_RECEIPT_RETENTION", d.receiptRetentionMs),
    downloadLinkTtlMs: duration(env, "PRIVACY_DOWNLOAD_LINK_TTL", d.downloadLinkTtlMs),
    gatewayPublicUrl: env.GATEWAY_PUBLIC_URL ?? `http://${env.HOST ?? "127.0.0.1"}:${env.GATEWAY_PORT ?? "4000"}`,
    replayOnStart: env.PRIVACY_REPLAY_ON_START !== "false",
  };
}

/** The ledger key file of the embedded default. */
export function ledgerKeyPathFromEnv(dataDirectory: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.ERASURE_LEDGER_KEY_FILE ?? join(dataDirectory, "keys", "erasure-ledger.key");
}
