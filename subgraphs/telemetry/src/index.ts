import { clockFromEnv, platformRegionFromEnv, regionalDatabaseConfigsFromEnv, keyPathsFromEnv, listen, loadPublicKey, serviceUrlsFromEnv } from "@dgg/common";
import { createTelemetryService } from "./server";

/** Starts the telemetry subgraph from environment variables (see README: Configuration). */
async function main(): Promise<void> {
  const env = process.env;
  const service = await createTelemetryService({
    databases: regionalDatabaseConfigsFromEnv("TELEMETRY", "telemetry", env),
    platformRegion: platformRegionFromEnv(env),
    internalPublicKey: await loadPublicKey(keyPathsFromEnv(env).internalPublic, "internal public key"),
    clock: clockFromEnv(env),
    urls: serviceUrlsFromEnv(env),
    log: (line) => console.log(`[telemetry] ${line}`),
  });
  const { url } = await listen(service.app, Number(env.TELEMETRY_PORT ?? 4002), env.HOST ?? "127.0.0.1");
  console.log(`telemetry subgraph ready at ${url}/graphql`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
