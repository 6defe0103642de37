/**
 * Preloaded into every service process (`node --require .../tracing/register.js`, as the
 * start script does) so the OpenTelemetry instrumentations are in place before http, undici
 * and pg are loaded. Does nothing unless an OTLP endpoint is configured; the SDK is then not
 * even loaded. See README: Operating it.
 */
import { tracingConfigFromEnv } from "./config";
import type * as Sdk from "./sdk";

const config = tracingConfigFromEnv(process.env);
if (config) {
  // Loaded only when tracing is on.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startTracing } = require("./sdk") as typeof Sdk;
  const tracing = startTracing(config);
  // Spans still in the batch are sent before the process ends. A service that handles the
  // signal itself (governance drains its workers) exits on its own once done; the others
  // would otherwise die at once and lose the last batch.
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    const flush = (): void => {
      const othersHandleIt = process.listenerCount(signal) > 1;
      void tracing.shutdown().finally(() => {
        if (!othersHandleIt) process.exit(0);
      });
    };
    process.once(signal, flush);
  }
}
