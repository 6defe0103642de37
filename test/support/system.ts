/**
 * The whole graph in one process for integration tests: five subgraphs and the gateway,
 * each on its own loopback port, on fresh SQLite files or fresh PostgreSQL databases,
 * sharing a test clock and test keys. Statement counters per subgraph let tests assert
 * batching. Nothing is mocked: services talk HTTP as in production.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DataSource } from "typeorm";
import { listen, ManualClock, StatementCounter } from "@dgg/common";
import type { DatabaseConfig, Viewer } from "@dgg/common";
import { clientToken, generateTestKeyPair } from "@dgg/common/testkit";
import type { KeyPair } from "@dgg/common/testkit";
import { createUsersService } from "../../subgraphs/users/src/server";
import { createTelemetryService } from "../../subgraphs/telemetry/src/server";
import { createAuditService } from "../../subgraphs/audit/src/server";
import { createStorageRegionsService } from "../../subgraphs/storage-regions/src/server";
import { DEFAULT_STORAGE_LAYOUT, parseStorageLayout } from "../../subgraphs/storage-regions/src/storage-layout";
import { createGovernanceService } from "../../subgraphs/governance/src/server";
import type { GovernanceService } from "../../subgraphs/governance/src/server";
import type { PrivacyEngineConfig } from "../../subgraphs/governance/src/privacy/config";
import { createGateway } from "../../gateway/src/server";
import { freshPostgresDatabase, testDatabaseName } from "./postgres";

export const SUBGRAPHS = ["users", "telemetry", "audit", "storage-regions", "governance"] as const;
export type SubgraphName = (typeof SUBGRAPHS)[number];
export type StoreKind = "sqlite" | "postgres";

export interface GraphQLResponse {
  status: number;
  body: { data?: Record<string, any> | null; errors?: { message: string; path?: unknown[]; extensions?: Record<string, unknown> }[] };
}

export interface TestSystem {
  kind: StoreKind;
  gatewayUrl: string;
  urls: Record<SubgraphName, string>;
  clock: ManualClock;
  issuerKeys: KeyPair;
  internalKeys: KeyPair;
  counters: Record<SubgraphName, StatementCounter>;
  stores: Record<SubgraphName, DataSource>;
  blobRoot: string;
  /** The governance service, for its privacy workers, ledger replay and evidence purge. */
  governance: GovernanceService;
  /** The erasure ledger's key, as governance was given it. */
  ledgerKey: Buffer;
  token(viewer: Viewer): Promise<string>;
  /** Takes a subgraph off the network (its port refuses connections), as in an outage. */
  pause(name: SubgraphName): Promise<void>;
  /** Puts a paused subgraph back on its port. */
  resume(name: SubgraphName): Promise<void>;
  gql(token: string | null, query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

async function databaseFor(kind: StoreKind, name: SubgraphName, dir: string): Promise<DatabaseConfig> {
  if (kind === "sqlite") return { type: "sqlite", file: join(dir, `${name}.sqlite`) };
  return { type: "postgres", url: await freshPostgresDatabase(testDatabaseName(name)) };
}

export interface TestSystemOptions {
  /** Overrides for the privacy-request engine (tests poll fast by default). */
  privacy?: Partial<PrivacyEngineConfig>;
}

export async function startTestSystem(kind: StoreKind, options: TestSystemOptions = {}): Promise<TestSystem> {
  const dir = mkdtempSync(join(tmpdir(), "dgg-system-"));
  const clock = new ManualClock(new Date());
  const issuerKeys = await generateTestKeyPair();
  const internalKeys = await generateTestKeyPair();
  const ports = Object.fromEntries(await Promise.all(SUBGRAPHS.map(async (name) => [name, await freePort()] as const))) as Record<SubgraphName, number>;
  const urls = Object.fromEntries(SUBGRAPHS.map((name) => [name, `http://127.0.0.1:${ports[name]}`])) as Record<SubgraphName, string>;
  const serviceUrls = { users: urls.users, telemetry: urls.telemetry, audit: urls.audit, storageRegions: urls["storage-regions"], governance: urls.governance };
  const counters = Object.fromEntries(SUBGRAPHS.map((name) => [name, new StatementCounter()])) as Record<SubgraphName, StatementCounter>;
  const common = { internalPublicKey: internalKeys.publicKey, clock, urls: serviceUrls };
  const blobRoot = join(dir, "blobs");
  const gatewayPort = await freePort();
  const ledgerKey = randomBytes(32);

  const services = {
    users: await createUsersService({ ...common, database: await databaseFor(kind, "users", dir), logger: counters.users }),
    telemetry: await createTelemetryService({ ...common, database: await databaseFor(kind, "telemetry", dir), logger: counters.telemetry }),
    audit: await createAuditService({ ...common, database: await databaseFor(kind, "audit", dir), logger: counters.audit }),
    "storage-regions": await createStorageRegionsService({
      ...common,
      layout: parseStorageLayout(DEFAULT_STORAGE_LAYOUT),
      database: await databaseFor(kind, "storage-regions", dir),
      logger: counters["storage-regions"],
    }),
    governance: await createGovernanceService({
      ...common,
      internalPrivateKey: internalKeys.privateKey,
      blobs: blobRoot,
      ledgerKey,
      privacy: { pollMs: 50, leaseMs: 5000, retryBaseMs: 1000, gatewayPublicUrl: `http://127.0.0.1:${gatewayPort}`, ...options.privacy },
      database: await databaseFor(kind, "governance", dir),
      logger: counters.governance,
    }),
  };
  const listeners = await Promise.all(SUBGRAPHS.map((name) => listen(services[name].app, ports[name])));
  const paused = new Set<SubgraphName>();

  const gateway = await createGateway({
    supergraphSdl: readFileSync(join(__dirname, "..", "..", "schema", "supergraph.graphql"), "utf8"),
    subgraphUrls: Object.fromEntries(SUBGRAPHS.map((name) => [name, `${urls[name]}/graphql`])),
    issuerPublicKey: issuerKeys.publicKey,
    internalPrivateKey: internalKeys.privateKey,
    clock,
    production: false,
  });
  const gatewayListener = await listen(gateway.app, gatewayPort);
  services.governance.workers.start();
  const gatewayUrl = `${gatewayListener.url}/graphql`;

  return {
    kind,
    gatewayUrl,
    urls,
    clock,
    issuerKeys,
    internalKeys,
    counters,
    stores: Object.fromEntries(SUBGRAPHS.map((name) => [name, services[name].db])) as Record<SubgraphName, DataSource>,
    blobRoot,
    governance: services.governance,
    ledgerKey,
    token: (viewer) => clientToken(issuerKeys, viewer, clock.now()),
    async pause(name) {
      await listeners[SUBGRAPHS.indexOf(name)]!.close();
      paused.add(name);
    },
    async resume(name) {
      listeners[SUBGRAPHS.indexOf(name)] = await listen(services[name].app, ports[name]);
      paused.delete(name);
    },
    async gql(token, query, variables = {}) {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (token) headers.authorization = `Bearer ${token}`;
      const response = await fetch(gatewayUrl, { method: "POST", headers, body: JSON.stringify({ query, variables }) });
      return { status: response.status, body: (await response.json()) as GraphQLResponse["body"] };
    },
    async stop() {
      await gatewayListener.close();
      await gateway.stop();
      await Promise.all(listeners.filter((_listener, index) => !paused.has(SUBGRAPHS[index]!)).map((listener) => listener.close()));
      for (const name of SUBGRAPHS) await services[name].stop();
    },
  };
}
