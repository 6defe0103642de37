/**
 * Governance as a real child process (node subgraphs/governance/dist/index.js), the way
 * production runs it, next to an in-process TestSystem that provides the data subgraphs.
 * Used by the crash suite: a fault point kills the process with SIGKILL, the next one
 * started on the same database and blob store must resume.
 */
import { freePort } from "./ports";
import { execFileSync, spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestSystem } from "./system";

const ROOT = join(__dirname, "..", "..");
const ENTRY = join(ROOT, "subgraphs", "governance", "dist", "index.js");

/** Builds dist once if a focused run has none yet (npm test builds it in typecheck). */
export function ensureGovernanceBuilt(): void {
  if (!existsSync(ENTRY)) execFileSync("npx", ["tsc", "-b", "tsconfig.build.json"], { cwd: ROOT, stdio: "inherit" });
}

/** Files every replica of one test shares: keys, ledger key, blob root, database. */
export interface GovernanceHome {
  dataDir: string;
  blobRoot: string;
  databaseUrl: string;
  env: Record<string, string>;
}

export function governanceHome(system: TestSystem, databaseUrl: string): GovernanceHome {
  const dataDir = mkdtempSync(join(tmpdir(), "dgg-gov-"));
  const keys = { private: join(dataDir, "internal-private.pem"), public: join(dataDir, "internal-public.pem"), ledger: join(dataDir, "ledger.key") };
  writeFileSync(keys.private, system.internalKeys.privatePem);
  writeFileSync(keys.public, system.internalKeys.publicPem);
  writeFileSync(keys.ledger, system.ledgerKey.toString("hex"));
  const blobRoot = join(dataDir, "blobs");
  return {
    dataDir,
    blobRoot,
    databaseUrl,
    env: {
      DGG_DATA_DIR: dataDir,
      BLOB_STORE_DIR: blobRoot,
      GOVERNANCE_DATABASE_URL: databaseUrl,
      INTERNAL_PRIVATE_KEY_FILE: keys.private,
      INTERNAL_PUBLIC_KEY_FILE: keys.public,
      ERASURE_LEDGER_KEY_FILE: keys.ledger,
      USERS_URL: system.urls.users,
      TELEMETRY_URL: system.urls.telemetry,
      AUDIT_URL: system.urls.audit,
      STORAGE_REGIONS_URL: system.urls["storage-regions"],
      // The crash tests drive privacy requests only: no scheduled retention run in between.
      RETENTION_INTERVAL: "off",
    },
  };
}

export interface GovernanceProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  /** Resolves when the process has exited, with how. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

/** Starts one governance replica and waits until it listens. */
export async function startGovernance(home: GovernanceHome, extraEnv: Record<string, string> = {}): Promise<GovernanceProcess> {
  const port = await freePort();
  const env = {
    ...process.env,
    ...home.env,
    GOVERNANCE_PORT: String(port),
    PRIVACY_POLL_MS: "100",
    PRIVACY_LEASE_MS: "1000",
    PRIVACY_RETRY_BASE_MS: "200",
    PRIVACY_EXPORT_PAGE_SIZE: "10",
    PRIVACY_CHECKPOINT_PAGES: "3",
    PRIVACY_MAX_ATTEMPTS: "50",
    // The tests read its lines ("governance subgraph ready", "fault injected at ...").
    LOG_LEVEL: "info",
    ...extraEnv,
  };
  const child = spawn(process.execPath, [ENTRY], { env, cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`governance did not start:\n${output}`)), 30_000);
    const check = () => {
      if (output.includes("governance subgraph ready")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on("data", check);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      if (!output.includes("governance subgraph ready")) reject(new Error(`governance exited (${code ?? signal}) while starting:\n${output}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    output: () => output,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
