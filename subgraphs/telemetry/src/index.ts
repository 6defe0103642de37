import { clockFromEnv, createLogger, keyPathsFromEnv, listen, loadPublicKey, platformRegionFromEnv, regionalDatabaseConfigsFromEnv, serviceUrlsFromEnv, startOrExit } from "@dgg/common";
import { createTelemetryService } from "./server";

const log = createLogger("telemetry", process.env);

/** Starts the telemetry subgraph from environment variables (see README: Configuration). */
async function main(): Promise<void> {
  const env = process.env;
  const service = await createTelemetryService({
    databases: regionalDatabaseConfigsFromEnv("TELEMETRY", "telemetry", env),
    platformRegion: platformRegionFromEnv(env),
    internalPublicKey: await loadPublicKey(keyPathsFromEnv(env).internalPublic, "internal public key"),
    clock: clockFromEnv(env),
    urls: serviceUrlsFromEnv(env),
    log,
  });
  const { url } = await listen(service.app, Number(env.TELEMETRY_PORT ?? 4002), env.HOST ?? "127.0.0.1");
  log.info({ url: `${url}/graphql` }, "telemetry subgraph ready");
}

startOrExit(log, main);
