#!/usr/bin/env node
// `npm start`: the whole system on the embedded default (SQLite under .data/, local keys),
// with the demo data set. Each service is its own process, as in production.
// With LOG_FORMAT=json (the default when NODE_ENV=production) everything it prints is JSON
// lines: the services' own, passed through unchanged, and its own with service "start".
import { createRequire } from "node:module";
import { seedDemo } from "./seed-demo.mjs";
import { serviceEnvironment, startServices } from "./lib/processes.mjs";

const require = createRequire(import.meta.url);
const common = require("../packages/common/dist/index.js");

const started = Date.now();
const env = serviceEnvironment(process.env);
const log = common.createLogger("start", env);
common.ensureDevKeys(common.keyPathsFromEnv(env));

let stopping = false;
// Null while the services start: a service that dies then fails startServices, which stops
// the others itself (shutting down from here would find nothing to stop and orphan them).
let services = null;
services = await startServices(env, {
  onExit: (name, code, signal) => {
    if (stopping || services === null) return;
    log.error({ process: name, code, signal }, `${name} stopped unexpectedly; stopping everything`);
    shutdown(1);
  },
}).catch((error) => {
  // Its message names the service that did not start (and how); no request has been served.
  log.fatal({ err: error, reason: error.message }, "start failed");
  process.exit(1);
});

async function shutdown(code) {
  stopping = true;
  await services.stop();
  process.exit(code);
}
process.on("SIGINT", () => shutdown(0));
process.on("SIGTERM", () => shutdown(0));

const gatewayUrl = `${env.GATEWAY_URL}/graphql`;
if (env.DGG_SEED_DEMO !== "false") {
  try {
    const summary = await seedDemo(gatewayUrl, env);
    log.info(`demo data: ${summary}`);
  } catch (error) {
    // The gateway's message may quote the demo's names: the code says what went wrong.
    log.error({ err: error }, "demo seed failed");
    await shutdown(1);
  }
}

const ready = {
  url: gatewayUrl,
  console: `${env.GATEWAY_URL}/console/`,
  startupMs: Date.now() - started,
  token: "npm run token -- --role tenant-admin --tenant <tenant id>",
  demoTenants: `${common.dataDir(env)}/demo-seed.json`,
};
if (common.logFormatOf(env) === "json") {
  log.info(ready, `Data-governance gateway ready at ${gatewayUrl}`);
} else {
  process.stdout.write(`
Data-governance gateway ready at ${gatewayUrl} (started in ${ready.startupMs} ms)
  Console:        ${ready.console} (development sign-in: pick a role, tenant and user)
  Apollo Sandbox: open ${gatewayUrl} in a browser
  A token:        ${ready.token}
  Demo tenants:   see ${ready.demoTenants}
Press Ctrl+C to stop.
`);
}
