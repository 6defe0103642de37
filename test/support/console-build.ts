/**
 * Builds the console (console/dist) when it is older than its sources, once across the jest
 * workers of a run: several suites open it at once, and a build empties dist/ while it
 * writes, so a build running under another suite's browser would make it fail. A lock
 * folder (mkdir is atomic) lets one worker build while the others wait, then find it current.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";

const root = join(__dirname, "..", "..");
const consoleDir = join(root, "console");
const built = join(consoleDir, "dist", "index.html");
const lock = join(consoleDir, "dist.lock");

function newestSource(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestSource(join(path, name))));
}

function stale(): boolean {
  if (!existsSync(built)) return true;
  const sources = [
    join(consoleDir, "src"),
    join(consoleDir, "index.html"),
    join(consoleDir, "oidc-callback.html"),
    join(consoleDir, "vite.config.mjs"),
    join(consoleDir, "package.json"),
    join(root, "packages", "common", "src", "operation-roles-table.ts"),
  ];
  return Math.max(...sources.map(newestSource)) > statSync(built).mtimeMs;
}

export async function ensureConsoleBuilt(): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      // A lock left by a killed run: older than any build takes.
      if (Date.now() - statSync(lock).mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`another test has been building the console for two minutes (${lock})`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    if (stale()) execFileSync("npm", ["run", "-s", "build", "-w", "console"], { cwd: root, stdio: "pipe" });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
