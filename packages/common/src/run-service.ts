import type express from "express";
import { clockFromEnv } from "./clock";
import type { Clock } from "./clock";
import type { KeyLike } from "jose";
import { keyPathsFromEnv, loadPublicKey } from "./keys";
import { createLogger, startOrExit } from "./logging";
import type { ServiceLogger } from "./logging";
import { regionalDatabaseConfigsFromEnv } from "./regional-stores";
import { platformRegionFromEnv } from "./tenant-regions";
import { storeVariablePrefix } from "./db";
import type { DatabaseConfig } from "./db";
import type { Region } from "./enums";
import { GATEWAY_SERVICE, SERVICES, serviceUrlsFromEnv } from "./service-registry";
import type { DataSubgraphName, ServiceUrls } from "./service-registry";
import { listen } from "./subgraph-server";

/** What a service's factory hands back to `runService`. */
export interface RunnableService {
  app: express.Express;
  /** Called once listening (start background work here: workers, schedulers). */
  started?: (url: string) => void;
  /** Graceful stop on SIGTERM/SIGINT (drain workers); without it the process ends at once. */
  stop?: () => Promise<void>;
}

/**
 * The one bootstrap of every service's `index.ts`: a logger named after the service, the
 * factory's app listening on the registry's port variable (HOST, default 127.0.0.1), a
 * `ready` line, graceful stop when the service has one, and a `could not start` line with the
 * reason and exit code 1 when anything fails before listening.
 */
export function runService(name: (typeof SERVICES)[number]["name"] | typeof GATEWAY_SERVICE.name, build: (env: NodeJS.ProcessEnv, log: ServiceLogger) => Promise<RunnableService>): void {
  const env = process.env;
  const log = createLogger(name, env);
  const entry = [...SERVICES, GATEWAY_SERVICE].find((service) => service.name === name)!;
  startOrExit(log, async () => {
    const service = await build(env, log);
    const { url } = await listen(service.app, Number(env[entry.portVar] ?? entry.port), env.HOST ?? "127.0.0.1");
    service.started?.(url);
    log.info({ url: `${url}/graphql` }, name === GATEWAY_SERVICE.name ? "gateway ready" : `${name} subgraph ready`);
    const { stop } = service;
    if (!stop) return;
    const shutdown = (): void => {
      stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.on("SIGTERM", shutdown);
    process.on("SIGINT", shutdown);
  });
}

/** What every data subgraph's factory takes from the environment (see README: Configuration). */
export interface DataSubgraphEnvironment {
  databases: Record<Region, DatabaseConfig>;
  platformRegion: Region;
  internalPublicKey: KeyLike;
  clock: Clock;
  urls: ServiceUrls;
}

/** A data subgraph's stores (`<NAME>_DATABASE_URL_<REGION>`, or the embedded default), keys, clock and the others' URLs. */
export async function dataSubgraphEnvironment(name: DataSubgraphName, env: NodeJS.ProcessEnv): Promise<DataSubgraphEnvironment> {
  return {
    databases: regionalDatabaseConfigsFromEnv(storeVariablePrefix(name), name, env),
    platformRegion: platformRegionFromEnv(env),
    internalPublicKey: await loadPublicKey(keyPathsFromEnv(env).internalPublic, "internal public key"),
    clock: clockFromEnv(env),
    urls: serviceUrlsFromEnv(env),
  };
}
