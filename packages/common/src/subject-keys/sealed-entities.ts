import type { EntitySubscriberInterface, InsertEvent, UpdateEvent } from "typeorm";
import { DAY_MS } from "../clock";
import { isUuid, NO_EPOCH } from "./key-store";
import type { KeyId, SubjectAliasRecord, SubjectKeyStore } from "./key-store";
import { blindIndex, isSealed, seal, unseal } from "./seal";
import type { SealContext } from "./seal";

/**
 * Which properties of an entity are personal content sealed under its subject's key, declared
 * once beside the entity (`sealedEntity(Device, {...})`). Every load through TypeORM opens
 * them and every insert or save seals them (SealingSubscriber); raw reads open them with
 * `openEntity`.
 */
export interface SealingSpec<T> {
  /** The property holding the subject's (user's) id: whose key seals the row. */
  subject: keyof T & string;
  /** The subject whose key seals a row whose `subject` is null (an audit entry about nobody). */
  subjectWhenAbsent?: string;
  tenant: keyof T & string;
  /**
   * For data that expires by age: the time property whose UTC day selects the key, so that
   * retention destroys a whole day's key once the day expired (telemetry).
   */
  epochOf?: keyof T & string;
  /** Text properties, sealed as they are (null stays null). */
  text?: (keyof T & string)[];
  /** JSON properties, serialized then sealed; the column stores the sealed string. */
  json?: (keyof T & string)[];
  /** Equality lookups without the value: `into` receives the tenant-keyed blind index of `of`. */
  blindIndexes?: { of: keyof T & string; into: keyof T & string }[];
  /**
   * Id properties stored under an alias (docs/decisions/0051), each with the property naming
   * the person whose erasure destroys the alias (the property itself when that is absent or
   * null). Only UUID values get one.
   */
  aliases?: Partial<Record<keyof T & string, keyof T & string>>;
}

type AnySpec = SealingSpec<Record<string, unknown>>;
type Row = Record<string, unknown>;

// Declarations only (classes to field lists), filled when the entity modules load; no handle to any store.
const specs = new Map<Function, AnySpec>();

export function sealedEntity<T>(target: new () => T, spec: SealingSpec<T>): void {
  specs.set(target, spec);
}

export function sealingSpecOf(target: unknown): AnySpec | undefined {
  return typeof target === "function" ? specs.get(target) : undefined;
}

/** The UTC day number of a time: the epoch of day keys. */
export const epochOfTime = (time: Date | number): number => Math.floor((typeof time === "number" ? time : time.getTime()) / DAY_MS);

const sealedFields = (spec: AnySpec) => [...(spec.text ?? []), ...(spec.json ?? [])];

/** The tenant and key a row is sealed under. */
export function keyOf(spec: AnySpec, row: Row, field: string): { tenantId: string } & KeyId {
  const tenantId = row[spec.tenant];
  const subjectId = row[spec.subject] ?? spec.subjectWhenAbsent;
  const time = spec.epochOf === undefined ? null : row[spec.epochOf];
  if (typeof tenantId !== "string" || typeof subjectId !== "string" || (spec.epochOf !== undefined && !(time instanceof Date) && typeof time !== "number")) {
    // Refusing is the only safe answer: writing the value in clear, or reading it unverified, would break the promise.
    throw new Error(`cannot seal or open ${field} without the row's ${[spec.tenant, spec.subject, spec.epochOf].filter(Boolean).join(", ")}; select or set them too`);
  }
  return { tenantId, subjectId, epoch: spec.epochOf === undefined ? NO_EPOCH : epochOfTime(time as Date | number) };
}

/** The ids of a row to be stored under aliases: the property, the id, its owner, the tenant. */
function aliasedIds(spec: AnySpec, row: Row): { property: string; clearId: string; ownerId: string; tenantId: string }[] {
  const tenantId = row[spec.tenant];
  const ids: { property: string; clearId: string; ownerId: string; tenantId: string }[] = [];
  if (typeof tenantId !== "string") return ids;
  for (const [property, ownerProperty] of Object.entries(spec.aliases ?? {})) {
    const value = row[property];
    if (typeof value !== "string" || !isUuid(value)) continue;
    const owner = ownerProperty === undefined ? undefined : row[ownerProperty];
    ids.push({ property, clearId: value, ownerId: typeof owner === "string" ? owner : value, tenantId });
  }
  return ids;
}

/**
 * Makes the aliases the row's declared ids are stored under (a new one is written by the key
 * store's `settle()`, which the writer awaits before the row goes out), and returns them by
 * property; the row is left as it is.
 */
function obtainAliases(keys: SubjectKeyStore, spec: AnySpec, row: Row): Row {
  const aliases: Row = {};
  for (const id of aliasedIds(spec, row)) aliases[id.property] = keys.obtainAlias(id.tenantId, id.clearId, id.ownerId);
  return aliases;
}

/** `obtainAliases` for a writer whose store puts them in place itself; returns how many ids the row has to alias. */
export function aliasRow(keys: SubjectKeyStore, spec: AnySpec, row: Row): number {
  return Object.keys(obtainAliases(keys, spec, row)).length;
}

/** The alias records of a page of rows, read from `from`, to copy to another region with the rows. */
export function aliasRecordsOf(spec: AnySpec, rows: readonly Row[], from: SubjectKeyStore): SubjectAliasRecord[] {
  const records = new Map<string, SubjectAliasRecord>();
  for (const row of rows) {
    for (const id of aliasedIds(spec, row)) {
      if (records.has(id.clearId)) continue;
      const record = from.aliasRecord(id.clearId);
      if (record) records.set(id.clearId, record);
    }
  }
  return [...records.values()];
}

/** Seals a row's personal content in place (and fills its blind indexes); returns the clear values it replaced. */
export function sealRow(keys: SubjectKeyStore, spec: AnySpec, row: Row): Row {
  const present = sealedFields(spec).filter((field) => row[field] !== undefined && row[field] !== null);
  const originals: Row = {};
  for (const index of spec.blindIndexes ?? []) {
    const value = row[index.of];
    if (typeof value === "string") row[index.into] = blindIndex(keys.indexKey(keyOf(spec, row, index.of).tenantId), value);
  }
  if (present.length === 0) return originals;
  const at = keyOf(spec, row, present[0]!);
  const key = keys.obtain(at.tenantId, at);
  for (const field of present) {
    originals[field] = row[field];
    const clear = (spec.json ?? []).includes(field) ? JSON.stringify(row[field]) : String(row[field]);
    row[field] = seal(key, { ...at, field }, clear);
  }
  return originals;
}

/** Opens a loaded row's sealed content in place; values written before sealing are left as they are. */
export function openRow(keys: SubjectKeyStore, spec: AnySpec, row: Row): void {
  const sealed = sealedFields(spec).filter((field) => isSealed(row[field]));
  if (sealed.length === 0) return;
  // One key for the row: its fields are sealed under the same subject, tenant and day.
  const at = keyOf(spec, row, sealed[0]!);
  const key = keys.find(at.tenantId, at);
  for (const field of sealed) {
    const clear = unseal(key, { ...at, field } satisfies SealContext, row[field] as string);
    row[field] = (spec.json ?? []).includes(field) ? (JSON.parse(clear) as unknown) : clear;
  }
}

/**
 * The JSON text of a JSON field as its column holds it (`stored`, read raw): a sealed value is
 * stored as a JSON string and opened here; a value written before sealing is stored as its
 * JSON itself. `row` holds the properties its key is chosen by (tenant, subject, day). For
 * readers that pass the value on as text, or test it as text, without building it.
 */
export function jsonColumnText(keys: SubjectKeyStore, spec: AnySpec, row: Row, field: string, stored: string): string {
  const value: unknown = stored.startsWith('"') ? JSON.parse(stored) : stored;
  if (!isSealed(value)) return stored;
  const at = keyOf(spec, row, field);
  return unseal(keys.find(at.tenantId, at), { ...at, field } satisfies SealContext, value);
}

/** Opens an entity built from a raw row (SQL that TypeORM did not load as the entity). */
export function openEntity<T extends object>(keys: SubjectKeyStore, target: new () => T, entity: T): T {
  const spec = sealingSpecOf(target);
  if (spec) openRow(keys, spec, entity as Row);
  return entity;
}

/**
 * Seals on the way in and opens on the way out for every entity with a `sealedEntity`
 * declaration, for one store (one region's key file), and makes the aliases its declared ids
 * are stored under (the store's query runners put them in place: id-aliases.ts). New keys
 * and aliases are written before the rows (the returned promise, which TypeORM awaits before
 * its INSERT or UPDATE). The caller's object gets its clear values back after an insert or
 * save, so what a mutation returns reads as it was given. Copies that must move rows
 * verbatim (residency moves) turn listeners off.
 */
export class SealingSubscriber implements EntitySubscriberInterface {
  private readonly originals = new WeakMap<object, Row>();

  constructor(private readonly keys: SubjectKeyStore) {}

  afterLoad(entity: unknown): void {
    const spec = sealingSpecOf((entity as object | null)?.constructor);
    if (spec) openRow(this.keys, spec, entity as Row);
  }

  beforeInsert(event: InsertEvent<Row>): Promise<void> | void {
    return this.sealEvent(event.metadata.target, event.entity);
  }

  afterInsert(event: InsertEvent<Row>): void {
    this.restore(event.entity);
  }

  beforeUpdate(event: UpdateEvent<Row>): Promise<void> | void {
    return this.sealEvent(event.metadata.target, event.entity);
  }

  afterUpdate(event: UpdateEvent<Row>): void {
    if (event.entity) this.restore(event.entity);
  }

  private sealEvent(target: unknown, entity: Row | undefined): Promise<void> | void {
    const spec = sealingSpecOf(target);
    if (!spec || !entity) return;
    const aliased = aliasRow(this.keys, spec, entity);
    const originals = sealRow(this.keys, spec, entity);
    if (Object.keys(originals).length > 0) this.originals.set(entity, originals);
    if (aliased > 0 || Object.keys(originals).length > 0) return this.keys.settle();
  }

  private restore(entity: Row): void {
    const originals = this.originals.get(entity);
    if (!originals) return;
    Object.assign(entity, originals);
    this.originals.delete(entity);
  }
}

/**
 * Sealed copies of rows for a bulk insert that bypasses listeners (`callListeners(false)`):
 * the same sealing as the subscriber without its per-row event dispatch. Ids stay in clear
 * (the store's runners put their aliases in place, which are made here). New keys and
 * aliases are stored before it returns.
 */
export function sealedCopies<T extends object>(keys: SubjectKeyStore, target: new () => T, rows: readonly T[]): Promise<T[]> {
  return sealCopies(keys, target, rows, false);
}

/**
 * `sealedCopies` as the store holds them: every declared id is replaced by its alias too, so
 * that the statement writing them can go out with `markIdsAliased` parameters, without the
 * runners looking up each of its UUIDs (the ingest path). The caller's rows keep their ids,
 * to answer with. New keys and aliases are stored before it returns.
 */
export function sealedCopiesUnderAliases<T extends object>(keys: SubjectKeyStore, target: new () => T, rows: readonly T[]): Promise<T[]> {
  return sealCopies(keys, target, rows, true);
}

async function sealCopies<T extends object>(keys: SubjectKeyStore, target: new () => T, rows: readonly T[], underAliases: boolean): Promise<T[]> {
  const spec = sealingSpecOf(target);
  const copies = rows.map((row) => ({ ...row }));
  if (!spec) return copies;
  for (const copy of copies) {
    const aliases = obtainAliases(keys, spec, copy as Row);
    // Sealed first: the key is chosen by the subject's id, which the alias would replace.
    sealRow(keys, spec, copy as Row);
    if (underAliases) Object.assign(copy, aliases);
  }
  await keys.settle();
  return copies;
}
