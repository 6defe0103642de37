#!/usr/bin/env node
// `npm start`: the whole system on the embedded default (SQLite under .data/, local keys),
// with the demo data set. Each service is its own process, as in production.
import { createRequire } from "node:module";
import { seedDemo } from "./seed-demo.mjs";
import { serviceEnvironment, startServices } from "./lib/processes.mjs";

const require = createRequire(import.meta.url);
const common = require("../packages/common/dist/index.js");

const started = Date.now();
const env = serviceEnvironment(process.env);
common.ensureDevKeys(common.keyPathsFromEnv(env));

let stopping = false;
const services = await startServices(env, {
  onExit: (name, code, signal) => {
    if (stopping) return;
    console.error(`${name} stopped unexpectedly (code ${code}, signal ${signal}); stopping everything`);
    shutdown(1);
  },
}).catch((error) => {
  console.error(`start failed: ${error.message}`);
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
    console.log(`demo data: ${summary}`);
  } catch (error) {
    console.error(`demo seed failed: ${error.message}`);
    await shutdown(1);
  }
}

console.log(`
Data-governance gateway ready at ${gatewayUrl} (started in ${Date.now() - started} ms)
  Console:        ${env.GATEWAY_URL}/console/ (development sign-in: pick a role, tenant and user)
  Apollo Sandbox: open ${gatewayUrl} in a browser
  A token:        npm run token -- --role tenant-admin --tenant <tenant id>
  Demo tenants:   see ${common.dataDir(env)}/demo-seed.json
Press Ctrl+C to stop.`);
