import { DataCategory } from "./enums";

/** What a data subgraph holds, for governance's personal-data contract. */
export interface DataSubgraphRole {
  categories: readonly DataCategory[];
  /** Whether it expires rows by age (POST /internal/retention/purge). */
  purgesByAge: boolean;
  /**
   * Where it comes in a user's erasure (lower first; subgraphs of the same order may be erased
   * at the same time, and a privacy request's erasure does so). Telemetry's delete and the audit trail's pseudonymisation go first,
   * together: neither reads the other's data, and the audit trail needs the identifiers the
   * users subgraph still holds. The account goes last (its row is what makes the user
   * findable until then).
   */
  eraseOrder: number;
  /** Its tables of tenant rows (each with a `tenant_id`): the residency checker counts them in every region. */
  residentTables: readonly string[];
}

export interface ServiceEntry {
  /** The name in the supergraph, logs and the test system. */
  name: string;
  /** Its key among the services' base URLs (`ServiceUrls` for the services of this registry). */
  urlKey: string;
  /** Environment variables of its port and of its base URL (as the other services find it). */
  portVar: string;
  urlVar: string;
  port: number;
  /** Its built entry point, relative to the repository root. */
  entry: string;
  /** Set for the subgraphs that hold personal data. */
  data?: DataSubgraphRole;
}

/** Base URLs of the services (without /graphql) by `urlKey`, each overridable by environment. */
export type ServiceUrls = Record<(typeof SERVICES)[number]["urlKey"], string>;

/**
 * Every service of the system, once: subgraphs first, the gateway last. The start script,
 * the gateway's subgraph list, governance's data subgraphs and the tests read it.
 */
export const SERVICES = [
  {
    name: "users",
    urlKey: "users",
    portVar: "USERS_PORT",
    urlVar: "USERS_URL",
    port: 4001,
    entry: "subgraphs/users/dist/index.js",
    data: {
      categories: [DataCategory.ACCOUNT, DataCategory.SERVICE_DATA],
      purgesByAge: false,
      eraseOrder: 2,
      residentTables: ["user_account", "device", "personal_data_freeze"],
    },
  },
  {
    name: "telemetry",
    urlKey: "telemetry",
    portVar: "TELEMETRY_PORT",
    urlVar: "TELEMETRY_URL",
    port: 4002,
    entry: "subgraphs/telemetry/dist/index.js",
    data: { categories: [DataCategory.TELEMETRY], purgesByAge: true, eraseOrder: 1, residentTables: ["telemetry_event", "telemetry_event_held", "personal_data_freeze"] },
  },
  {
    name: "audit",
    urlKey: "audit",
    portVar: "AUDIT_PORT",
    urlVar: "AUDIT_URL",
    port: 4003,
    entry: "subgraphs/audit/dist/index.js",
    data: { categories: [DataCategory.AUDIT_LOG], purgesByAge: true, eraseOrder: 1, residentTables: ["audit_log_entry"] },
  },
  { name: "storage-regions", urlKey: "storageRegions", portVar: "STORAGE_REGIONS_PORT", urlVar: "STORAGE_REGIONS_URL", port: 4004, entry: "subgraphs/storage-regions/dist/index.js" },
  { name: "governance", urlKey: "governance", portVar: "GOVERNANCE_PORT", urlVar: "GOVERNANCE_URL", port: 4005, entry: "subgraphs/governance/dist/index.js" },
] as const satisfies readonly ServiceEntry[];

/** The gateway, which is not a subgraph but starts with them. */
export const GATEWAY_SERVICE = { name: "gateway", portVar: "GATEWAY_PORT", urlVar: "GATEWAY_URL", port: 4000, entry: "gateway/dist/index.js" } as const;

export type SubgraphName = (typeof SERVICES)[number]["name"];

/** A registry entry of a subgraph that holds personal data. */
export type DataSubgraphEntry = ServiceEntry & { data: DataSubgraphRole };

/** Names of the subgraphs that hold personal data (the entries with `data`): each keeps one store per region. */
export type DataSubgraphName = Extract<(typeof SERVICES)[number], { data: DataSubgraphRole }>["name"];

/** The subgraphs of `services` (this registry by default) that hold personal data, in erasure order. */
export function dataSubgraphEntries(services: readonly ServiceEntry[] = SERVICES): DataSubgraphEntry[] {
  return services.filter((service): service is DataSubgraphEntry => service.data !== undefined).sort((a, b) => a.data.eraseOrder - b.data.eraseOrder);
}

/** The data subgraphs' names, in registry order. */
export const DATA_SUBGRAPH_NAMES: readonly DataSubgraphName[] = (SERVICES as readonly ServiceEntry[])
  .filter((service) => service.data !== undefined)
  .map((service) => service.name as DataSubgraphName);

export function serviceUrlsFromEnv(env: NodeJS.ProcessEnv = process.env): ServiceUrls {
  return Object.fromEntries(SERVICES.map((service) => [service.urlKey, env[service.urlVar] ?? `http://127.0.0.1:${service.port}`])) as unknown as ServiceUrls;
}
