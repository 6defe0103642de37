/**
 * Scenario: a service cannot start under `npm start` (here storage-regions, given a storage
 * layout it refuses). The start must stop with exit code 1, saying which service failed, and
 * leave no process behind: every other service's port is closed again.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GATEWAY_SERVICE, SERVICES } from "@dgg/common";
import { freePort } from "../support/ports";

const root = join(__dirname, "..", "..");

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

describe("npm start when a service cannot start", () => {
  it("exits 1 naming the service, and leaves no service running", async () => {
    if (!existsSync(join(root, GATEWAY_SERVICE.entry))) execFileSync("npx", ["tsc", "-b", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
    const env: NodeJS.ProcessEnv = { ...process.env, DGG_DATA_DIR: mkdtempSync(join(tmpdir(), "dgg-start-failure-")), DGG_SEED_DEMO: "false", LOG_LEVEL: "info", STORAGE_LAYOUT: "not a layout" };
    const ports: number[] = [];
    for (const service of [...SERVICES, GATEWAY_SERVICE]) {
      const port = await freePort();
      env[service.portVar] = String(port);
      ports.push(port);
    }
    let output = "";
    const start = spawn(process.execPath, [join(root, "scripts", "start.mjs")], { env, cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    start.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    start.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => start.once("exit", resolve));
    expect(code).toBe(1);
    expect(output).toMatch(/storage-regions/);
    expect(output).toMatch(/STORAGE_LAYOUT/);
    // Every service the start launched is gone with it.
    const open = await Promise.all(ports.map((port) => listening(port)));
    expect(open).toEqual(ports.map(() => false));
  }, 120_000);
});
