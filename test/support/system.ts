/**
 * The whole graph in one process for integration tests: five subgraphs and the gateway,
 * each on its own loopback port, on fresh SQLite files or fresh PostgreSQL databases,
 * sharing a test clock and test keys. Statement counters per subgraph let tests assert
 * batching. Nothing is mocked: services talk HTTP as in production.
 */
import { freePort } from "./ports";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DataSource, FindOptionsWhere } from "typeorm";
import { createLogger, listen, ManualClock, Region, REGIONS, SERVICES, StatementCounter, subjectKeyFiles } from "@dgg/common";
import type {
  DatabaseConfig,
  DataSubgraphBase,
  DataSubgraphEntry,
  DataSubgraphService,
  DataSubgraphServiceOptions,
  ServiceLogger,
  ServiceUrls,
  SubgraphName,
  SubjectKeyStore,
  Viewer,
} from "@dgg/common";
import { clientToken, generateTestKeyPair } from "@dgg/common/testkit";
import type { KeyPair } from "@dgg/common/testkit";
import { createUsersService } from "../../subgraphs/users/src/server";
import { createTelemetryService } from "../../subgraphs/telemetry/src/server";
import { createAuditService } from "../../subgraphs/audit/src/server";
import { AuditLogEntry } from "../../subgraphs/audit/src/entities/audit-log-entry.entity";
import { createStorageRegionsService } from "../../subgraphs/storage-regions/src/server";
import { DEFAULT_STORAGE_LAYOUT, parseStorageLayout } from "../../subgraphs/storage-regions/src/storage-layout";
import { createGovernanceService } from "../../subgraphs/governance/src/server";
import type { GovernanceService } from "../../subgraphs/governance/src/server";
import type { ResidencyMoverOptions } from "../../subgraphs/governance/src/residency/residency-mover";
import type { ResidencyStores } from "@dgg/common";
import type { PrivacyEngineConfig } from "../../subgraphs/governance/src/privacy/engine/config";
import type { FaultInjector } from "../../subgraphs/governance/src/privacy/engine/faults";
import type { WebhookConfig } from "../../subgraphs/governance/src/webhooks/config";
import { createGateway } from "../../gateway/src/server";
import type { DevDirectoryTenant } from "../../gateway/src/console";
import { freshPostgresDatabase, testDatabaseName } from "./postgres";

export const SUBGRAPHS = SERVICES.map((service) => service.name);
export type { SubgraphName };
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
  /** Every store of a subgraph: one per region for the data subgraphs, one (region null) for the others. */
  stores: Record<SubgraphName, { region: Region | null; db: DataSource }[]>;
  /** Configuration of every store, for the residency checker. */
  databases: ResidencyStores;
  /** Each data subgraph's subject-key file per region (docs/decisions/0044). */
  keyFiles: Record<"users" | "telemetry" | "audit", Record<Region, string>>;
  /** A data subgraph's subject keys of one region, as the running service holds them. */
  subjectKeys(name: "users" | "telemetry" | "audit", region: Region): SubjectKeyStore;
  blobRoot: string;
  /** The fixture data subgraphs the system was started with, by registry name. */
  fixtures: Record<string, DataSubgraphService<DataSubgraphBase>>;
  /** The governance service, for its privacy workers, ledger replay, evidence purge, mover and scheduler. */
  governance: GovernanceService;
  /** Stops the governance service and starts a fresh one on the same store and port. */
  restartGovernance(mover?: TestSystemOptions["mover"]): Promise<void>;
  /** Starts another governance replica on the same store, as a second pod would (with other webhook settings if given); stopped with the system. */
  startGovernanceReplica(webhooks?: Partial<WebhookConfig>): Promise<{ url: string; service: GovernanceService }>;
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

/**
 * `listen` on a port chosen earlier: another suite may take it in between, or a process just
 * killed on it may still be letting go. Retried for a moment on EADDRINUSE, then the error.
 */
async function listenOn(app: Parameters<typeof listen>[0], port: number): ReturnType<typeof listen> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await listen(app, port);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE" || attempt >= 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}


async function databaseFor(kind: StoreKind, name: string, dir: string): Promise<DatabaseConfig> {
  if (kind === "sqlite") return { type: "sqlite", file: join(dir, `${name}.sqlite`) };
  return { type: "postgres", url: await freshPostgresDatabase(testDatabaseName(name)) };
}

/** One store per region for a data subgraph: `<region>/<name>` (SQLite) or `<name>_<region>` (PostgreSQL). */
async function regionalDatabasesFor(kind: StoreKind, name: string, dir: string): Promise<Record<Region, DatabaseConfig>> {
  const configs = {} as Record<Region, DatabaseConfig>;
  for (const region of REGIONS) {
    configs[region] = kind === "sqlite" ? { type: "sqlite", file: join(dir, region, `${name}.sqlite`) } : await databaseFor(kind, `${name}_${region}`, dir);
  }
  return configs;
}

/** Timings that make moves quick in tests: regions cached 100 ms, moves wait 300 ms before copying. */
const REGION_CACHE_TTL_MS = 100;
const MOVE_FREEZE_MS = 300;

export interface TestSystemOptions {
  /** Residency mover settings for governance (tests of moves). */
  mover?: Pick<ResidencyMoverOptions, "intervalMs" | "leaseMs" | "chunkRows" | "callTimeoutMs" | "afterChunk" | "beforePurge"> & {
    faultPoint?: string;
    onFault?: (point: string) => void;
  };
  /** Gives governance a retention schedule of this interval; its timer stays off, tests call `scheduler.tick()`. */
  retentionIntervalMs?: number;
  /** Overrides for the privacy-request engine (tests poll fast by default). */
  privacy?: Partial<PrivacyEngineConfig>;
  /** Called at each of the privacy engine's named points (tests that act at a precise step). */
  faults?: FaultInjector;
  /** Overrides for webhook delivery (tests poll fast by default). */
  webhooks?: Partial<WebhookConfig>;
  /**
   * Where every service (the gateway, each subgraph, governance replicas) writes its log
   * lines, as JSON at every level. Without it each logs as LOG_LEVEL says (silent in tests).
   */
  logs?: { write(line: string): void };
  /**
   * How long the data subgraphs reuse a tenant's region (100 ms by default, so tests of moves
   * see a switch quickly). Tests that count a request's statements set it longer than any
   * request takes, so a slow machine does not add lookups.
   */
  regionCacheTtlMs?: number;
  /**
   * Where governance keeps its records when not beside the data stores. Governance keeps each
   * privacy request, with its subject's user id, as evidence for a year; a test of what the
   * data stores' files keep after an erasure puts it in a store (SQLite) outside the PostgreSQL
   * cluster whose WAL it scans, as a deployment that separates them does.
   */
  governanceStore?: StoreKind;
  /** The tenants and users the console's development sign-in offers (none by default). */
  devDirectory?: () => Promise<DevDirectoryTenant[]>;
  /**
   * Further data subgraphs, each a registry entry and the factory of its service, started
   * beside the others (one store per region) and added to governance's registry: a new data
   * subgraph as docs/adding-a-subgraph.md adds one, without changing anything else.
   */
  dataSubgraphFixtures?: DataSubgraphFixture[];
}

/** A data subgraph that is not part of the product, for tests of what a new one gets for free. */
export interface DataSubgraphFixture {
  entry: DataSubgraphEntry;
  create(options: DataSubgraphServiceOptions & { urls: ServiceUrls }): Promise<DataSubgraphService<DataSubgraphBase>>;
}

/** A service's logger in the test system: JSON into `logs` when a test captures them. */
function testLogger(service: string, logs: TestSystemOptions["logs"]): ServiceLogger {
  return logs ? createLogger(service, { LOG_FORMAT: "json", LOG_LEVEL: "trace" }, logs) : createLogger(service);
}

export async function startTestSystem(kind: StoreKind, options: TestSystemOptions = {}): Promise<TestSystem> {
  const dir = mkdtempSync(join(tmpdir(), "dgg-system-"));
  const clock = new ManualClock(new Date());
  const issuerKeys = await generateTestKeyPair();
  const internalKeys = await generateTestKeyPair();
  const ports = Object.fromEntries(await Promise.all(SUBGRAPHS.map(async (name) => [name, await freePort()] as const))) as Record<SubgraphName, number>;
  const urls = Object.fromEntries(SUBGRAPHS.map((name) => [name, `http://127.0.0.1:${ports[name]}`])) as Record<SubgraphName, string>;
  const serviceUrls = Object.fromEntries(SERVICES.map((service) => [service.urlKey, urls[service.name]])) as unknown as ServiceUrls;
  const counters = Object.fromEntries(SUBGRAPHS.map((name) => [name, new StatementCounter()])) as Record<SubgraphName, StatementCounter>;
  const common = { internalPublicKey: internalKeys.publicKey, clock, urls: serviceUrls };
  const regional = { ...common, platformRegion: Region.NORTH_AMERICA, regionCacheTtlMs: options.regionCacheTtlMs ?? REGION_CACHE_TTL_MS };
  const blobRoot = join(dir, "blobs");
  const databases: ResidencyStores = {
    users: await regionalDatabasesFor(kind, "users", dir),
    telemetry: await regionalDatabasesFor(kind, "telemetry", dir),
    audit: await regionalDatabasesFor(kind, "audit", dir),
    directory: await databaseFor(kind, "storage-regions", dir),
    blobRoot,
    platformRegion: Region.NORTH_AMERICA,
  };
  // Subject keys beside each store (SQLite) or under the system's folder (PostgreSQL).
  const keysEnv = { DGG_SUBJECT_KEYS_DIR: join(dir, "subject-keys") };
  const keyFiles = {
    users: subjectKeyFiles("users", databases.users, keysEnv),
    telemetry: subjectKeyFiles("telemetry", databases.telemetry, keysEnv),
    audit: subjectKeyFiles("audit", databases.audit, keysEnv),
  };
  const gatewayPort = await freePort();
  const ledgerKey = randomBytes(32);
  const fixtures: Record<string, DataSubgraphService<DataSubgraphBase>> = {};
  const fixtureUrls: Record<string, string> = {};
  const fixtureListeners: Awaited<ReturnType<typeof listen>>[] = [];
  for (const fixture of options.dataSubgraphFixtures ?? []) {
    const { name, urlKey } = fixture.entry;
    const fixtureDatabases = await regionalDatabasesFor(kind, name, dir);
    fixtures[name] = await fixture.create({ ...regional, databases: fixtureDatabases, subjectKeys: subjectKeyFiles(name, fixtureDatabases, keysEnv), log: testLogger(name, options.logs) });
    const listener = await listen(fixtures[name].app, 0);
    fixtureListeners.push(listener);
    fixtureUrls[urlKey] = listener.url;
  }

  const services = {
    users: await createUsersService({ ...regional, databases: databases.users, subjectKeys: keyFiles.users, logger: counters.users, log: testLogger("users", options.logs) }),
    telemetry: await createTelemetryService({
      ...regional,
      databases: databases.telemetry,
      subjectKeys: keyFiles.telemetry,
      logger: counters.telemetry,
      log: testLogger("telemetry", options.logs),
    }),
    audit: await createAuditService({ ...regional, databases: databases.audit, subjectKeys: keyFiles.audit, logger: counters.audit, log: testLogger("audit", options.logs) }),
    "storage-regions": await createStorageRegionsService({
      ...common,
      layout: parseStorageLayout(DEFAULT_STORAGE_LAYOUT),
      database: databases.directory,
      moveFreezeMs: MOVE_FREEZE_MS,
      logger: counters["storage-regions"],
      log: testLogger("storage-regions", options.logs),
    }),
    governance: null as unknown as GovernanceService,
  };
  const governanceDatabase = await databaseFor(options.governanceStore ?? kind, "governance", dir);
  const governanceOptions = {
    ...common,
    urls: { ...serviceUrls, ...fixtureUrls },
    services: [...SERVICES, ...(options.dataSubgraphFixtures ?? []).map((fixture) => fixture.entry)],
    internalPrivateKey: internalKeys.privateKey,
    blobs: blobRoot,
    database: governanceDatabase,
    ledgerKey,
    privacy: { pollMs: 50, leaseMs: 5000, retryBaseMs: 1000, gatewayPublicUrl: `http://127.0.0.1:${gatewayPort}`, ...options.privacy },
    retentionIntervalMs: options.retentionIntervalMs ?? null,
    retentionTimer: false,
    faults: options.faults,
    webhooks: { pollMs: 50, ...options.webhooks },
    log: testLogger("governance", options.logs),
  };
  const startGovernance = (mover: TestSystemOptions["mover"]) =>
    createGovernanceService({ ...governanceOptions, residencyMover: { intervalMs: 100, ...mover }, logger: counters.governance });
  const replicas: { close(): Promise<void>; service: GovernanceService }[] = [];
  services.governance = await startGovernance(options.mover);
  const listeners = await Promise.all(SUBGRAPHS.map((name) => listenOn(services[name].app, ports[name])));
  const paused = new Set<SubgraphName>();

  const gateway = await createGateway({
    supergraphSdl: readFileSync(join(__dirname, "..", "..", "schema", "supergraph.graphql"), "utf8"),
    subgraphUrls: Object.fromEntries(SUBGRAPHS.map((name) => [name, `${urls[name]}/graphql`])),
    issuerPublicKey: issuerKeys.publicKey,
    internalPrivateKey: internalKeys.privateKey,
    clock,
    production: false,
    log: testLogger("gateway", options.logs),
    // The console as `npm start` serves it: the built files, and the development sign-in with the test issuer key.
    console: {
      dir: join(__dirname, "..", "..", "console", "dist"),
      devSignIn: { issuerPrivateKey: issuerKeys.privateKey, directory: options.devDirectory ?? (async () => []) },
    },
  });
  const gatewayListener = await listenOn(gateway.app, gatewayPort);
  services.governance.workers.start();
  const gatewayUrl = `${gatewayListener.url}/graphql`;

  const system: TestSystem = {
    kind,
    gatewayUrl,
    urls,
    clock,
    issuerKeys,
    internalKeys,
    counters,
    stores: {
      users: services.users.stores.entries().map(([region, db]) => ({ region, db })),
      telemetry: services.telemetry.stores.entries().map(([region, db]) => ({ region, db })),
      audit: services.audit.stores.entries().map(([region, db]) => ({ region, db })),
      "storage-regions": [{ region: null, db: services["storage-regions"].db }],
      governance: [{ region: null, db: services.governance.db }],
    },
    databases,
    keyFiles,
    fixtures,
    subjectKeys: (name, region) => services[name].stores.keys(region),
    blobRoot,
    governance: services.governance,
    ledgerKey,
    token: (viewer) => clientToken(issuerKeys, viewer, clock.now()),
    async pause(name) {
      await listeners[SUBGRAPHS.indexOf(name)]!.close();
      paused.add(name);
    },
    async resume(name) {
      listeners[SUBGRAPHS.indexOf(name)] = await listenOn(services[name].app, ports[name]);
      paused.delete(name);
    },
    async gql(token, query, variables = {}) {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (token) headers.authorization = `Bearer ${token}`;
      const response = await fetch(gatewayUrl, { method: "POST", headers, body: JSON.stringify({ query, variables }) });
      return { status: response.status, body: (await response.json()) as GraphQLResponse["body"] };
    },
    async restartGovernance(mover) {
      // As a crash would: the old instance stops without finishing, a new one starts on the same store and port.
      const index = SUBGRAPHS.indexOf("governance");
      await listeners[index]!.close();
      await services.governance.stop();
      services.governance = await startGovernance(mover);
      listeners[index] = await listenOn(services.governance.app, ports.governance);
      services.governance.workers.start();
      system.governance = services.governance;
      system.stores.governance = [{ region: null, db: services.governance.db }];
    },
    async startGovernanceReplica(webhooks) {
      // A second pod: its own residency mover stays off so the move tests keep one driver.
      const service = await createGovernanceService({ ...governanceOptions, webhooks: { ...governanceOptions.webhooks, ...webhooks }, residencyMover: false });
      const listener = await listen(service.app, 0);
      replicas.push({ close: listener.close, service });
      return { url: listener.url, service };
    },
    async stop() {
      for (const replica of replicas) {
        await replica.close();
        await replica.service.stop();
      }
      await gatewayListener.close();
      await gateway.stop();
      await Promise.all(listeners.filter((_listener, index) => !paused.has(SUBGRAPHS[index]!)).map((listener) => listener.close()));
      for (const name of SUBGRAPHS) await services[name].stop();
      for (const listener of fixtureListeners) await listener.close();
      for (const fixture of Object.values(fixtures)) await fixture.stop();
    },
  };
  return system;
}

/** Runs a `SELECT COUNT(*) AS n ...` in every store of a subgraph (each region's) and adds the counts up. */
export async function countAcross(system: TestSystem, name: SubgraphName, sql: string): Promise<number> {
  let total = 0;
  for (const { db } of system.stores[name]) total += Number((await db.query(sql))[0].n);
  return total;
}

/** Runs a query in every store of a subgraph (each region's) and returns all rows. */
export async function queryAcross<T = Record<string, unknown>>(system: TestSystem, name: SubgraphName, sql: string, parameters: unknown[] = []): Promise<T[]> {
  const rows: T[] = [];
  for (const { db } of system.stores[name]) rows.push(...((await db.query(sql, parameters)) as T[]));
  return rows;
}

/**
 * Audit entries as the audit service reads them (details opened: they are sealed in the
 * store, docs/decisions/0044), from every region's store or from `region`'s only.
 */
export async function auditEntries(system: TestSystem, where: FindOptionsWhere<AuditLogEntry>, region?: string): Promise<AuditLogEntry[]> {
  const entries: AuditLogEntry[] = [];
  for (const store of system.stores.audit) if (region === undefined || store.region === region) entries.push(...(await store.db.getRepository(AuditLogEntry).findBy(where)));
  return entries;
}
