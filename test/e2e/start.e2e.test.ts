/**
 * Scenario: a newcomer runs `npm start` and walks the main flow over HTTP. The real
 * processes start the way `npm start` starts them (scripts/start.mjs, one process per
 * service, SQLite under a fresh data folder, local keys, demo data), tokens come from
 * `npm run token`, and the client only speaks HTTP to the gateway. It runs with
 * LOG_FORMAT=json: everything the run prints, start-up to shutdown, is JSON lines with
 * service and level, and none holds a personal value the demo or the scenario seeded.
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
  LOG_FORMAT: "json",
  LOG_LEVEL: "info",
};
const gatewayUrl = `http://127.0.0.1:${basePort}/graphql`;

/** What the scenario seeds about its user (and the admin's IdP subject): none of it may be in a log line. */
const SEEDED = {
  principalName: "e2e.logscan@example.eu",
  displayName: "Erika Logscan",
  email: "erika.private@mail.example.org",
  serials: ["SN-E2E-LOGSCAN-1", "SN-E2E-LOGSCAN-2"],
  payloadMarker: "e2e-payload-marker-5d1c",
  adminSubject: "e2e.admin@idp.example.com",
};

/** A stream's output, split into whole lines (a chunk may end mid-line). */
function lineCollector() {
  let partial = "";
  const lines: string[] = [];
  return {
    lines,
    add(chunk: Buffer) {
      const parts = (partial + chunk.toString()).split("\n");
      partial = parts.pop()!;
      lines.push(...parts);
    },
    end() {
      if (partial) lines.push(partial);
      partial = "";
    },
  };
}

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
  const stdout = lineCollector();
  const stderr = lineCollector();
  /** Personal values the run seeded: the scenario's, and some of the demo's (read back through the API). */
  const personal: string[] = Object.values(SEEDED).flat();

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
      system.stdout!.on("data", (chunk: Buffer) => stdout.add(chunk));
      system.stderr!.on("data", (chunk: Buffer) => stderr.add(chunk));
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
    const admin = token("--role", "tenant-admin", "--tenant", tenantId, "--subject", SEEDED.adminSubject);
    const user = await gql(admin, `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`, {
      i: { tenantId, userPrincipalName: SEEDED.principalName, displayName: SEEDED.displayName, email: SEEDED.email },
    });
    const userId = user.data!.createUser.id as string;
    for (const [i, name] of ["laptop", "phone"].entries()) {
      const device = await gql(admin, `mutation($u: ID!, $n: String!, $s: String!) { enrollDevice(input: { userId: $u, deviceName: $n, operatingSystem: "Linux", serialNumber: $s }) { id } }`, {
        u: userId,
        n: name,
        s: SEEDED.serials[i],
      });
      expect(device.errors).toBeUndefined();
    }
    const events = Array.from({ length: 500 }, (_, i) => ({ userId, kind: "SERVICE_LOG", occurredAt: new Date(Date.now() - i * 1000).toISOString(), payload: { i, note: SEEDED.payloadMarker } }));
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

  it("echoes a client's x-request-id and logs the operation under it", async () => {
    const requestId = `e2e-${basePort}-health-check`;
    const response = await fetch(gatewayUrl, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token("--role", "operator")}`, "x-request-id": requestId },
      body: JSON.stringify({ query: "query E2ERequestId($id: ID!) { tenant(id: $id) { id } }", variables: { id: JSON.parse(readFileSync(join(dataDir, "demo-seed.json"), "utf8")).tenants[0].id } }),
    });
    expect(response.headers.get("x-request-id")).toBe(requestId);
    expect(((await response.json()) as { errors?: unknown }).errors).toBeUndefined();
    // The lines travel through the start script's pipes: wait for the gateway's.
    const logged = () => stdout.lines.filter((line) => line.includes(requestId)).map((line) => JSON.parse(line) as Record<string, unknown>);
    for (let waited = 0; waited < 5000 && !logged().some((line) => line.service === "gateway"); waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    const lines = logged();
    expect(lines).toEqual(expect.arrayContaining([expect.objectContaining({ service: "gateway", msg: "graphql operation", operation: "E2ERequestId", outcome: "ok" })]));
    expect(lines.some((line) => line.service === "storage-regions" && line.msg === "graphql operation")).toBe(true);
  });

  it("printed JSON lines only, each with service and level, and no seeded personal value, start-up to shutdown", async () => {
    // Some of the demo's people, read back as their tenant's admin: names, emails, serials.
    const marker = JSON.parse(readFileSync(join(dataDir, "demo-seed.json"), "utf8")) as { tenants: { id: string; admin: string; users: { id: string; userPrincipalName: string }[] }[] };
    personal.push("demo-operator");
    for (const tenant of marker.tenants) {
      personal.push(tenant.admin, ...tenant.users.map((user) => user.userPrincipalName));
      const admin = token("--role", "tenant-admin", "--tenant", tenant.id);
      for (const user of tenant.users.slice(0, 2)) {
        const read = await gql(admin, `query($u: ID!) { personalData(user: $u) { account { displayName email } devices { edges { node { serialNumber } } } } }`, { u: user.id });
        const { account, devices } = read.data!.personalData;
        personal.push(account.displayName, ...devices.edges.map((edge: { node: { serialNumber: string } }) => edge.node.serialNumber));
        if (account.email) personal.push(account.email);
      }
    }
    expect(personal.length).toBeGreaterThan(60);

    const exited = new Promise((resolve) => system.once("exit", resolve));
    system.kill("SIGTERM");
    await exited;
    stdout.end();
    stderr.end();

    const lines = [...stdout.lines, ...stderr.lines];
    expect(stdout.lines.length).toBeGreaterThan(100);
    const unparsable = lines.filter((line) => {
      try {
        const parsed = JSON.parse(line);
        return typeof parsed.service !== "string" || typeof parsed.level !== "string";
      } catch {
        return true;
      }
    });
    expect(unparsable).toEqual([]);
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(new Set(parsed.map((line) => line.service))).toEqual(new Set(["start", "gateway", "users", "telemetry", "audit", "storage-regions", "governance"]));
    // Every service wrote its lines itself: nothing had to be wrapped by the start script.
    expect(parsed.filter((line) => line.msg === "unstructured output")).toEqual([]);
    expect(parsed.find((line) => line.service === "start" && String(line.msg).startsWith("Data-governance gateway ready at"))).toBeDefined();

    // The scan finds what is there (the control), and none of the personal values.
    expect(lines.filter((line) => line.includes(`e2e-${basePort}-health-check`)).length).toBeGreaterThan(0);
    const hits = [...new Set(personal)].filter((value) => lines.some((line) => line.includes(value)));
    expect(hits).toEqual([]);
  }, 60_000);
});
