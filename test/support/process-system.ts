/**
 * The whole system as `npm start` runs it: scripts/start.mjs, one process per service, on
 * SQLite files in a fresh folder or on fresh PostgreSQL databases. For what only real
 * processes show: tracing (one tracer provider per process) and the processes' own output.
 */
import { execFileSync, spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DATA_SUBGRAPH_NAMES, GATEWAY_SERVICE, REGIONS, SERVICES, storeVariablePrefix } from "@dgg/common";
import { freePort } from "./ports";
import { freshPostgresDatabase, testDatabaseName } from "./postgres";
import type { StoreKind } from "./system";

const ROOT = join(__dirname, "..", "..");

export interface ProcessResponse {
  status: number;
  headers: Headers;
  body: { data?: Record<string, any>; errors?: { message: string; extensions?: { code?: string } }[] };
}

export interface ProcessSystem {
  gatewayUrl: string;
  env: NodeJS.ProcessEnv;
  /** A bearer token minted the way `npm run token` does. */
  token(...args: string[]): string;
  gql(bearer: string, query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<ProcessResponse>;
  /** Everything the processes printed so far. */
  output(): string;
  stop(): Promise<void>;
}

/** Every store's variable, pointing at a fresh database of this test (PostgreSQL) or left to the embedded default (SQLite). */
async function databaseEnvironment(kind: StoreKind): Promise<Record<string, string>> {
  if (kind === "sqlite") return {};
  const env: Record<string, string> = {};
  for (const service of SERVICES) {
    if ((DATA_SUBGRAPH_NAMES as readonly string[]).includes(service.name)) {
      for (const region of REGIONS) env[`${storeVariablePrefix(service.name)}_DATABASE_URL_${region}`] = await freshPostgresDatabase(testDatabaseName(`proc_${service.name}_${region}`));
    } else {
      env[`${storeVariablePrefix(service.name)}_DATABASE_URL`] = await freshPostgresDatabase(testDatabaseName(`proc_${service.name}`));
    }
  }
  return env;
}

async function waitUntilReady(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${output()}`);
    try {
      if ((await fetch(`${url}/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`npm start did not become ready:\n${output()}`);
}

export async function startProcessSystem(kind: StoreKind, extraEnv: Record<string, string> = {}): Promise<ProcessSystem> {
  if (!existsSync(join(ROOT, GATEWAY_SERVICE.entry))) execFileSync("npx", ["tsc", "-b", "tsconfig.build.json"], { cwd: ROOT, stdio: "inherit" });
  const env: NodeJS.ProcessEnv = { ...process.env, DGG_DATA_DIR: mkdtempSync(join(tmpdir(), `dgg-proc-${kind}-`)), DGG_SEED_DEMO: "false", RETENTION_INTERVAL: "off", ...(await databaseEnvironment(kind)), ...extraEnv };
  for (const service of [...SERVICES, GATEWAY_SERVICE]) env[service.portVar] = String(await freePort());
  const gatewayUrl = `http://127.0.0.1:${env.GATEWAY_PORT}`;
  let printed = "";
  const child = spawn(process.execPath, [join(ROOT, "scripts", "start.mjs")], { env, cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (chunk: Buffer) => (printed += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (printed += chunk.toString()));
  await waitUntilReady(gatewayUrl, child, () => printed);
  return {
    gatewayUrl: `${gatewayUrl}/graphql`,
    env,
    token: (...args) => execFileSync(process.execPath, [join(ROOT, "scripts", "token.mjs"), ...args], { env, encoding: "utf8" }).trim(),
    async gql(bearer, query, variables = {}, headers = {}) {
      const response = await fetch(`${gatewayUrl}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${bearer}`, ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, headers: response.headers, body: (await response.json()) as ProcessResponse["body"] };
    },
    output: () => printed,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    },
  };
}
