/**
 * Scenario: a newcomer runs `npm start` and walks the main flow over HTTP. The real
 * processes start the way `npm start` starts them (scripts/start.mjs, one process per
 * service, SQLite under a fresh data folder, local keys, demo data), tokens come from
 * `npm run token`, and the client only speaks HTTP to the gateway.
 */
import { execFileSync, spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureConsoleBuilt } from "../support/console-build";
import { waitForRequest } from "../support/privacy";

const root = join(__dirname, "..", "..");
// Below Linux's ephemeral range (32768+), where port-0 listeners of other suites land.
const basePort = 20000 + Math.floor(Math.random() * 12000);
const dataDir = mkdtempSync(join(tmpdir(), "dgg-e2e-"));
const env = {
  ...process.env,
  DGG_DATA_DIR: dataDir,
  GATEWAY_PORT: String(basePort),
  USERS_PORT: String(basePort + 1),
  TELEMETRY_PORT: String(basePort + 2),
  AUDIT_PORT: String(basePort + 3),
  STORAGE_REGIONS_PORT: String(basePort + 4),
  GOVERNANCE_PORT: String(basePort + 5),
};
const gatewayUrl = `http://127.0.0.1:${basePort}/graphql`;

function token(...args: string[]): string {
  return execFileSync(process.execPath, [join(root, "scripts", "token.mjs"), ...args], { env, encoding: "utf8" }).trim();
}

async function gql(bearer: string, query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(gatewayUrl, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${bearer}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: Record<string, any>; errors?: { message: string; extensions?: { code?: string } }[] };
}

describe("npm start, end to end over HTTP", () => {
  let system: ChildProcess;
  let output = "";
  let startupMs = 0;

  beforeAll(async () => {
    // As `npm start` builds: tsc (incremental, quick when current) and the console's bundle
    // (when stale; shared with the console suites that may run at the same time).
    execFileSync("npx", ["tsc", "-b", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
    await ensureConsoleBuilt();
    const started = Date.now();
    system = spawn(process.execPath, [join(root, "scripts", "start.mjs")], { env, cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`npm start did not become ready:\n${output}`)), 120_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes("Data-governance gateway ready at")) {
          clearTimeout(timer);
          resolve();
        }
      };
      system.stdout!.on("data", onData);
      system.stderr!.on("data", onData);
      system.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`npm start exited with ${code}:\n${output}`));
      });
    });
    startupMs = Date.now() - started;
    console.log(`[e2e] start-up with demo seed: ${startupMs} ms`);
  }, 150_000);

  afterAll(async () => {
    if (system && system.exitCode === null) {
      const exited = new Promise((resolve) => system.once("exit", resolve));
      system.kill("SIGTERM");
      await exited;
    }
  });

  it("seeded the demo data set: three tenants, one per region, about 50 users", () => {
    const marker = JSON.parse(readFileSync(join(dataDir, "demo-seed.json"), "utf8"));
    expect(marker.tenants.map((tenant: { storageRegion: string }) => tenant.storageRegion).sort()).toEqual(["ASIA_PACIFIC", "EUROPE", "NORTH_AMERICA"]);
    expect(marker.tenants.reduce((sum: number, tenant: { users: unknown[] }) => sum + tenant.users.length, 0)).toBe(50);
    expect(output).toContain("npm run token");
  });

  it("walks the main scenario: tenant, user, devices, telemetry, personalData, restrictProcessing", async () => {
    const operator = token("--role", "operator");
    const tenant = await gql(operator, `mutation { createTenant(input: { name: "E2E Europe", storageRegion: EUROPE }) { id } }`);
    expect(tenant.errors).toBeUndefined();
    const tenantId = tenant.data!.createTenant.id as string;
    const admin = token("--role", "tenant-admin", "--tenant", tenantId);
    const user = await gql(admin, `mutation($t: ID!) { createUser(input: { tenantId: $t, userPrincipalName: "e2e@example.eu", displayName: "E2E" }) { id } }`, { t: tenantId });
    const userId = user.data!.createUser.id as string;
    for (const name of ["laptop", "phone"]) {
      const device = await gql(admin, `mutation($u: ID!, $n: String!) { enrollDevice(input: { userId: $u, deviceName: $n, operatingSystem: "Linux" }) { id } }`, { u: userId, n: name });
      expect(device.errors).toBeUndefined();
    }
    const events = Array.from({ length: 500 }, (_, i) => ({ userId, kind: "SERVICE_LOG", occurredAt: new Date(Date.now() - i * 1000).toISOString(), payload: { i } }));
    const ingested = await gql(token("--role", "ingest", "--tenant", tenantId), `mutation($e: [TelemetryEventInput!]!) { ingestTelemetry(events: $e) { accepted } }`, { e: events });
    expect(ingested.data?.ingestTelemetry.accepted).toBe(500);

    const read = await gql(admin, `query($u: ID!) { personalData(user: $u) { account { id } devices { totalCount } telemetry { totalCount } auditLog { totalCount } residency { region } retention { category purgeAfter } } }`, { u: userId });
    expect(read.errors).toBeUndefined();
    const data = read.data!.personalData;
    expect([data.devices.totalCount, data.telemetry.totalCount, data.residency.region]).toEqual([2, 500, "EUROPE"]);

    const restricted = await gql(admin, `mutation($u: ID!) { restrictProcessing(user: $u) { id status } }`, { u: userId });
    expect(restricted.errors).toBeUndefined();
    expect(restricted.data!.restrictProcessing.status).toBe("RECEIVED");
    const request = await waitForRequest({ gql: async (token, query, variables) => ({ status: 200, body: (await gql(token!, query, variables)) as never }) }, admin, restricted.data!.restrictProcessing.id, "export { location sha256 counts { category records } }");
    expect(request.status).toBe("COMPLETED");
    const counts = Object.fromEntries(request.export.counts.map((count: { category: string; records: number }) => [count.category, count.records]));
    expect(counts).toEqual({ ACCOUNT: 1, SERVICE_DATA: 2, TELEMETRY: 500, AUDIT_LOG: data.auditLog.totalCount });
    const manifest = fileURLToPath(request.export.location);
    expect(manifest.startsWith(join(dataDir, "blobs", "EUROPE"))).toBe(true);
    expect(createHash("sha256").update(readFileSync(manifest)).digest("hex")).toBe(request.export.sha256);

    const gone = await gql(admin, `query($u: ID!) { personalData(user: $u) { userId } }`, { u: userId });
    expect(gone.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    const otherAdmin = token("--role", "tenant-admin", "--tenant", "5f0c3a9e-4b7d-4c1e-9a2b-3c4d5e6f7a8b");
    const foreign = await gql(otherAdmin, `query($u: ID!) { personalData(user: $u) { userId } }`, { u: userId });
    expect(foreign.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("leaves every row and archive in its tenant's elected region (npm run residency:check)", () => {
    const output = execFileSync(process.execPath, [join(root, "scripts", "residency-check.mjs")], { env, encoding: "utf8" });
    expect(output).toMatch(/residency: [1-9]\d* rows and [1-9]\d* archive files checked, 0 misplaced, 0 in transit/);
  });

  it("serves the console, whose development sign-in offers the demo tenants and mints working tokens", async () => {
    const origin = new URL(gatewayUrl).origin;
    expect(output).toContain(`${origin}/console/`);
    const page = await fetch(`${origin}/console/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(await page.text()).toContain('<div id="root">');
    expect(await (await fetch(`${origin}/console/config.json`)).json()).toEqual({ signIn: "development" });
    const marker = JSON.parse(readFileSync(join(dataDir, "demo-seed.json"), "utf8"));
    const directory = (await (await fetch(`${origin}/console/dev-sign-in/directory`)).json()) as { tenants: { id: string; users: { id: string }[] }[] };
    expect(directory.tenants.map((tenant) => tenant.id)).toEqual(marker.tenants.map((tenant: { id: string }) => tenant.id));
    const tenant = directory.tenants[0]!;
    const signedIn = await fetch(`${origin}/console/dev-sign-in`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ role: "privacy-officer", tenantId: tenant.id }),
    });
    const { token: officer } = (await signedIn.json()) as { token: string };
    const read = await gql(officer, `query($u: ID!) { personalData(user: $u) { userId } }`, { u: tenant.users[0]!.id });
    expect(read.errors).toBeUndefined();
    expect(read.data!.personalData.userId).toBe(tenant.users[0]!.id);
  });

  it("serves Apollo Sandbox's landing page in development", async () => {
    const response = await fetch(gatewayUrl, { headers: { accept: "text/html" } });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("sandbox");
  });
});
