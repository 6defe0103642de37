// Starting the services as separate processes, the way production runs them.
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import logging from "../../packages/common/dist/logging/index.js";
import registry from "../../packages/common/dist/service-registry.js";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/**
 * Name, entry point, port variable and default port of every service, subgraphs first: the
 * service registry of packages/common (built before anything starts), plus the gateway.
 */
export const SERVICES = [...registry.SERVICES, registry.GATEWAY_SERVICE];

/** Preloaded into every service: OpenTelemetry's instrumentations must be in place before http and pg load. */
export const TRACING_PRELOAD = join(ROOT, "packages", "common", "dist", "tracing", "register.js");

/** Fills in every port and URL variable not already set, so each service finds the others. */
export function serviceEnvironment(env) {
  const host = env.HOST ?? "127.0.0.1";
  const result = { ...env, APOLLO_TELEMETRY_DISABLED: "true" };
  for (const service of SERVICES) {
    result[service.portVar] ??= String(service.port);
    result[service.urlVar] ??= `http://${host}:${result[service.portVar]}`;
  }
  return result;
}

async function waitUntilReady(url, child, name, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode} while starting`);
    try {
      const response = await fetch(`${url}/ready`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${name} did not become ready at ${url} within ${timeoutMs} ms`);
}

function isJsonObject(line) {
  if (!line.startsWith("{")) return false;
  try {
    return typeof JSON.parse(line) === "object";
  } catch {
    return false;
  }
}

/**
 * Where a child's output lines go (`log` gets each with its newline). With LOG_FORMAT=json
 * a JSON line passes unchanged and anything else (Node's report of a crash) becomes a JSON
 * line of that service, so the whole output stays JSON lines; pretty output is prefixed
 * with the service's name.
 */
function childLines(service, env, log) {
  if (logging.logFormatOf(env) !== "json") return (line) => log(`[${service.name}] ${line}\n`);
  const fallback = logging.createLogger(service.name, env, { write: log });
  return (line, stream) => {
    if (isJsonObject(line)) log(`${line}\n`);
    else if (line.trim() !== "") fallback.warn({ stream, line }, "unstructured output");
  };
}

/**
 * Spawns every service, waits until each answers /ready (its stores answer and are migrated; the gateway: every subgraph is ready), and returns a stopper.
 * If any service dies, `onExit` is told (npm start then stops the rest). `nodeArgs` go before each
 * service's script (e.g. `--cpu-prof`, which Node refuses in NODE_OPTIONS).
 */
export async function startServices(env, { onExit = () => {}, log = (line) => process.stdout.write(line), nodeArgs = [] } = {}) {
  const children = [];
  // A child killed by a signal keeps exitCode null, so "still running" must check both.
  const running = (child) => child.exitCode === null && child.signalCode === null;
  const stop = async () => {
    for (const { child } of children) if (running(child)) child.kill("SIGTERM");
    await Promise.all(children.map(({ child }) => (running(child) ? new Promise((resolve) => child.once("exit", resolve)) : null)));
  };
  const launch = (service) => {
    // The tracing preload does nothing unless an OTLP endpoint is set (README: Operating it).
    const child = spawn(process.execPath, [...nodeArgs, "--require", TRACING_PRELOAD, join(ROOT, service.entry)], {
      env: { ...env, DGG_SERVICE_NAME: service.name },
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    // Line by line: a chunk may end mid-line, and a line is never split or prefixed in the middle.
    const output = childLines(service, env, log);
    createInterface({ input: child.stdout, crlfDelay: Infinity }).on("line", (line) => output(line, "stdout"));
    createInterface({ input: child.stderr, crlfDelay: Infinity }).on("line", (line) => output(line, "stderr"));
    child.once("exit", (code, signal) => onExit(service.name, code, signal));
    children.push({ service, child });
    return child;
  };
  try {
    const subgraphs = SERVICES.filter((service) => service.name !== "gateway");
    await Promise.all(subgraphs.map((service) => waitUntilReady(env[service.urlVar], launch(service), service.name, 30_000)));
    const gateway = SERVICES.find((service) => service.name === "gateway");
    await waitUntilReady(env[gateway.urlVar], launch(gateway), "gateway", 30_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { stop, children };
}
