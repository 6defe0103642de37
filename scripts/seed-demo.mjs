// The demo data set, seeded through the public API so it is audited like real traffic:
// three tenants (one per region), about 50 users with devices, 30 days of telemetry
// (the oldest leaves the 30-day window within a day) and the audit entries all of that makes.
// Idempotent: a second run finds the tenants recorded in .data/demo-seed.json and stops.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { graphql } from "./lib/gateway-client.mjs";

const require = createRequire(import.meta.url);
const common = require("../packages/common/dist/index.js");

const TENANTS = [
  { name: "Contoso Europe", region: "EUROPE", domain: "contoso.eu", users: 17 },
  { name: "Fabrikam Americas", region: "NORTH_AMERICA", domain: "fabrikam.com", users: 17 },
  { name: "Northwind Asia Pacific", region: "ASIA_PACIFIC", domain: "northwind.asia", users: 16 },
];
const FIRST = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Margaret", "Tim", "Radia", "Linus", "Hedy", "John", "Karen", "Dennis", "Sophie"];
const OS = ["Windows 11", "iOS 18", "Android 15", "macOS 15"];
const KINDS = ["SERVICE_LOG", "PERFORMANCE_LOG", "ERROR"];
const DAY = 86_400_000;

/** A small seeded generator, so every fresh demo looks the same. */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

async function tokenFor(key, viewer, now) {
  return common.signClientToken(viewer, key, now, 3600);
}

export async function seedDemo(gatewayUrl, env = process.env) {
  const markerPath = join(common.dataDir(env), "demo-seed.json");
  const key = await common.loadPrivateKey(common.keyPathsFromEnv(env).issuerPrivate, "token issuer private key");
  const now = common.clockFromEnv(env).now();
  const operator = await tokenFor(key, { role: "operator", subject: "demo-operator", tenantId: null, userId: null }, now);

  if (existsSync(markerPath)) {
    const marker = JSON.parse(readFileSync(markerPath, "utf8"));
    const present = await Promise.all(
      marker.tenants.map((tenant) =>
        graphql(gatewayUrl, operator, "query($id: ID!) { tenant(id: $id) { id } }", { id: tenant.id }).then(() => true, () => false),
      ),
    );
    if (present.every(Boolean)) return `already present (${markerPath})`;
  }

  const next = random(20261123);
  const tenants = [];
  let users = 0;
  let devices = 0;
  let events = 0;
  for (const spec of TENANTS) {
    const { createTenant } = await graphql(
      gatewayUrl,
      operator,
      "mutation($input: CreateTenantInput!) { createTenant(input: $input) { id name storageRegion } }",
      { input: { name: spec.name, storageRegion: spec.region } },
    );
    const admin = await tokenFor(key, { role: "tenant-admin", subject: `admin@${spec.domain}`, tenantId: createTenant.id, userId: null }, now);
    const ingest = await tokenFor(key, { role: "ingest", subject: `ingest@${spec.domain}`, tenantId: createTenant.id, userId: null }, now);
    const tenantUsers = [];
    const telemetry = [];
    for (let i = 0; i < spec.users; i += 1) {
      const first = FIRST[i % FIRST.length];
      const { createUser } = await graphql(
        gatewayUrl,
        admin,
        "mutation($input: CreateUserInput!) { createUser(input: $input) { id userPrincipalName } }",
        { input: { tenantId: createTenant.id, userPrincipalName: `${first.toLowerCase()}${i}@${spec.domain}`, displayName: `${first} ${spec.region.slice(0, 2)}${i}`, email: `${first.toLowerCase()}${i}@${spec.domain}` } },
      );
      tenantUsers.push(createUser);
      const deviceCount = 1 + Math.floor(next() * 3);
      for (let d = 0; d < deviceCount; d += 1) {
        await graphql(gatewayUrl, admin, "mutation($input: EnrollDeviceInput!) { enrollDevice(input: $input) { id } }", {
          input: { userId: createUser.id, deviceName: `${first}-${OS[d % OS.length].split(" ")[0]}-${d}`, operatingSystem: OS[(i + d) % OS.length], serialNumber: `SN${Math.floor(next() * 1e9)}` },
        });
      }
      devices += deviceCount;
      // Within the 30 days: older telemetry is past its retention period and refused at ingestion.
      for (let day = 0; day < 30; day += 1) {
        const perDay = 1 + Math.floor(next() * 3);
        for (let e = 0; e < perDay; e += 1) {
          telemetry.push({
            userId: createUser.id,
            kind: KINDS[Math.floor(next() * KINDS.length)],
            occurredAt: new Date(now.getTime() - day * DAY - Math.floor(next() * DAY)).toISOString(),
            payload: { source: "demo", latencyMs: Math.floor(next() * 900), day },
          });
        }
      }
    }
    for (let offset = 0; offset < telemetry.length; offset += 10_000) {
      const batch = telemetry.slice(offset, offset + 10_000);
      await graphql(gatewayUrl, ingest, "mutation($events: [TelemetryEventInput!]!) { ingestTelemetry(events: $events) { accepted } }", { events: batch });
    }
    users += tenantUsers.length;
    events += telemetry.length;
    tenants.push({ ...createTenant, admin: `admin@${spec.domain}`, users: tenantUsers });
  }
  writeFileSync(markerPath, JSON.stringify({ seededAt: now.toISOString(), tenants }, null, 2));
  return `${tenants.length} tenants, ${users} users, ${devices} devices, ${events} telemetry events (ids in ${markerPath})`;
}
