import { DataCategory, StorageKind } from "@dgg/common";
import type { Region, StorageLayoutEntry } from "@dgg/common";

/**
 * Which kinds of store each data category lives in, inside a tenant's region. It is
 * deployment configuration (env `STORAGE_LAYOUT`), not a constant: the seed allows SQL,
 * reliable collections and blob storage, and residency must report what this deployment
 * really does, not everything it could do.
 */
export interface StorageLayout {
  /** Every DataCategory exactly once, in the order the enum declares them. */
  readonly entries: readonly StorageLayoutEntry[];
}

/** What this deployment really does: every subgraph keeps its rows in SQL; telemetry has its own store. */
export const DEFAULT_STORAGE_LAYOUT = "ACCOUNT=SQL_DATABASE;SERVICE_DATA=SQL_DATABASE;TELEMETRY=TELEMETRY_STORE;AUDIT_LOG=SQL_DATABASE";

const CATEGORIES = Object.values(DataCategory);
const KINDS = Object.values(StorageKind);

/** A STORAGE_LAYOUT that cannot be used; the service refuses to start with it. */
export class StorageLayoutError extends Error {
  constructor(problem: string, text: string) {
    super(
      `STORAGE_LAYOUT ${problem} (got ${JSON.stringify(text)}; expected e.g. ${JSON.stringify(DEFAULT_STORAGE_LAYOUT)}, ` +
        `categories ${CATEGORIES.join(", ")}; kinds ${KINDS.join(", ")})`,
    );
    this.name = "StorageLayoutError";
  }
}

const isCategory = (value: string): value is DataCategory => (CATEGORIES as string[]).includes(value);
const isKind = (value: string): value is StorageKind => (KINDS as string[]).includes(value);

/**
 * Parses `CATEGORY=KIND[,KIND...];...`. Every category must appear exactly once with at
 * least one known kind; anything else throws a StorageLayoutError naming the culprit.
 *
 * @example
 * parseStorageLayout("ACCOUNT=SQL_DATABASE;SERVICE_DATA=SQL_DATABASE,RELIABLE_COLLECTION;TELEMETRY=TELEMETRY_STORE;AUDIT_LOG=SQL_DATABASE")
 */
export function parseStorageLayout(text: string): StorageLayout {
  const found = new Map<DataCategory, StorageKind[]>();
  // A trailing ';' is tolerated; an empty segment in the middle is too, it adds nothing.
  const segments = text.split(";").map((segment) => segment.trim()).filter((segment) => segment.length > 0);
  for (const segment of segments) {
    const equals = segment.indexOf("=");
    if (equals < 0) throw new StorageLayoutError(`entry ${JSON.stringify(segment)} has no '='`, text);
    const category = segment.slice(0, equals).trim();
    if (!isCategory(category)) throw new StorageLayoutError(`names an unknown category ${JSON.stringify(category)}`, text);
    if (found.has(category)) throw new StorageLayoutError(`names category ${category} twice`, text);
    const kinds = segment.slice(equals + 1).split(",").map((kind) => kind.trim());
    if (kinds.every((kind) => kind.length === 0)) throw new StorageLayoutError(`gives category ${category} no storage kind`, text);
    const parsed: StorageKind[] = [];
    for (const kind of kinds) {
      if (!isKind(kind)) throw new StorageLayoutError(`gives category ${category} an unknown storage kind ${JSON.stringify(kind)}`, text);
      if (parsed.includes(kind)) throw new StorageLayoutError(`gives category ${category} kind ${kind} twice`, text);
      parsed.push(kind);
    }
    found.set(category, parsed);
  }
  const missing = CATEGORIES.filter((category) => !found.has(category));
  if (missing.length > 0) throw new StorageLayoutError(`is missing categor${missing.length === 1 ? "y" : "ies"} ${missing.join(", ")}`, text);
  return { entries: CATEGORIES.map((category) => ({ category, kinds: found.get(category)! })) };
}

/** The layout from env `STORAGE_LAYOUT`; unset or blank means the default. */
export function storageLayoutFromEnv(env: NodeJS.ProcessEnv = process.env): StorageLayout {
  const text = env.STORAGE_LAYOUT;
  return parseStorageLayout(text === undefined || text.trim() === "" ? DEFAULT_STORAGE_LAYOUT : text);
}

/** Every (category, kind) of the layout, placed in `region`: a tenant's data lives only there. */
export function locationsIn(layout: StorageLayout, region: Region): { category: DataCategory; kind: StorageKind; region: Region }[] {
  return layout.entries.flatMap((entry) => entry.kinds.map((kind) => ({ category: entry.category, kind, region })));
}
