import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";

/** Which key: a subject's own, or (with `epoch`, a day number) the subject's key for one day of data. */
export interface KeyId {
  subjectId: string;
  /** Days since 1970-01-01 (UTC) of the data sealed under it; NO_EPOCH for a subject's single key. */
  epoch: number;
}

/** One key as it travels with a tenant moving region. */
export interface SubjectKeyRecord extends KeyId {
  tenantId: string;
  key: Buffer;
}

/** One id alias as it travels with a tenant moving region (docs/decisions/0051). */
export interface SubjectAliasRecord {
  clearId: string;
  alias: string;
  tenantId: string;
  /** The subject whose erasure destroys the alias: the user, for their own id and their devices'. */
  ownerId: string;
}

/**
 * Stored in place of an id (docs/decisions/0051): "ps-" and 32 random hex digits, 35
 * characters, so it fits every 36-character id column and is never mistaken for a UUID.
 */
export const ALIAS_PREFIX = "ps-";
export const ALIAS_LENGTH = 35;

/** Only UUIDs (user and device ids) are given aliases. */
export const isUuid = (value: string): boolean => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);

/** The epoch of keys that do not expire by date (accounts, devices). */
export const NO_EPOCH = -1;

/** The reserved subject of a tenant's blind-index key (user ids are UUIDs, never this). */
export const TENANT_INDEX_SUBJECT = "*tenant-index*";

const KEY_BYTES = 32;
const keyName = (tenantId: string, id: KeyId) => `${tenantId}\u0000${id.subjectId}\u0000${id.epoch}`;

/**
 * The keys personal content is sealed under (docs/decisions/0044): random AES-256 keys per
 * tenant, subject and (for data that expires by age) day, in a small SQLite file per
 * subgraph and region, beside (never inside) the data store. Destroying a key is the erasure
 * PostgreSQL cannot do on its own: a deleted row lives on in its WAL, archives and replicas,
 * but only as ciphertext once its key is gone. The key file's own deletion is physical:
 * secure_delete zeroes the freed bytes and the log is truncated after every destroy.
 *
 * Reads are synchronous (better-sqlite3): a key is looked up while a row is decoded. New
 * keys made while a batch is sealed are written together, durably (synchronous=FULL), by
 * `settle()`, which every writer awaits before its rows go out: one fsync per batch, and
 * never a stored row whose key could be lost.
 */
export class SubjectKeyStore {
  private readonly db: Database.Database;
  private readonly selectKey: Database.Statement<[string, string, number], { key: Buffer }>;
  private readonly insertKey: Database.Statement<[string, string, number, Buffer, number]>;
  private pending = new Map<string, SubjectKeyRecord>();
  private pendingAliases = new Map<string, SubjectAliasRecord>();
  private readonly selectAlias: Database.Statement<[string], { alias: string }>;
  private readonly selectAliases: Database.Statement<[string], { clear_id: string; alias: string }>;
  private readonly selectIds: Database.Statement<[string], { clear_id: string; alias: string }>;
  /** Prepared once: a move asks for the record of every id of every chunk it copies. */
  private readonly selectAliasRecord: Database.Statement<[string], SubjectAliasRecord>;
  private readonly selectClear: Database.Statement<[string], { clear_id: string }>;
  private readonly insertAlias: Database.Statement<[string, string, string, string, number]>;
  private settling: Promise<void> | null = null;
  /**
   * Keys and aliases read in this turn of the event loop (and ids found to have no alias): a
   * page of events, or an ingest batch, asks for the same few hundreds of times. Emptied at
   * the end of the turn and by every destroy, so a destroyed key or alias is never served from it.
   */
  private readonly recent = new Map<string, Buffer>();
  private readonly recentAliases = new Map<string, string>();
  private readonly recentMisses = new Set<string>();
  private recentClearing = false;

  private constructor(readonly file: string) {
    if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = FULL");
    this.db.pragma("secure_delete = ON");
    this.db.pragma("busy_timeout = 5000");
    this.db.exec(
      `CREATE TABLE IF NOT EXISTS subject_key (
         tenant_id TEXT NOT NULL,
         subject_id TEXT NOT NULL,
         epoch INTEGER NOT NULL,
         key BLOB NOT NULL,
         created_at INTEGER NOT NULL,
         PRIMARY KEY (tenant_id, subject_id, epoch)
       ) WITHOUT ROWID;
       CREATE INDEX IF NOT EXISTS ix_subject_key_epoch ON subject_key (epoch);
       CREATE TABLE IF NOT EXISTS subject_alias (
         clear_id TEXT PRIMARY KEY,
         alias TEXT NOT NULL UNIQUE,
         tenant_id TEXT NOT NULL,
         owner_id TEXT NOT NULL,
         created_at INTEGER NOT NULL
       ) WITHOUT ROWID;
       CREATE INDEX IF NOT EXISTS ix_subject_alias_owner ON subject_alias (tenant_id, owner_id);
       CREATE TABLE IF NOT EXISTS key_store_step (name TEXT PRIMARY KEY, done_at INTEGER NOT NULL) WITHOUT ROWID`,
    );
    this.selectAlias = this.db.prepare("SELECT alias FROM subject_alias WHERE clear_id = ?");
    this.selectAliases = this.db.prepare("SELECT clear_id, alias FROM subject_alias WHERE clear_id IN (SELECT value FROM json_each(?))");
    this.selectAliasRecord = this.db.prepare("SELECT clear_id AS clearId, alias, tenant_id AS tenantId, owner_id AS ownerId FROM subject_alias WHERE clear_id = ?");
    this.selectIds = this.db.prepare("SELECT clear_id, alias FROM subject_alias WHERE alias IN (SELECT value FROM json_each(?))");
    this.selectClear = this.db.prepare("SELECT clear_id FROM subject_alias WHERE alias = ?");
    this.insertAlias = this.db.prepare("INSERT OR IGNORE INTO subject_alias (clear_id, alias, tenant_id, owner_id, created_at) VALUES (?, ?, ?, ?, ?)");
    this.selectKey = this.db.prepare("SELECT key FROM subject_key WHERE tenant_id = ? AND subject_id = ? AND epoch = ?");
    this.insertKey = this.db.prepare("INSERT OR IGNORE INTO subject_key (tenant_id, subject_id, epoch, key, created_at) VALUES (?, ?, ?, ?, ?)");
  }

  static open(file: string): SubjectKeyStore {
    return new SubjectKeyStore(file);
  }

  /** The key, or undefined when it was never made or was destroyed. */
  find(tenantId: string, id: KeyId): Buffer | undefined {
    const name = keyName(tenantId, id);
    const recent = this.recent.get(name);
    if (recent) return recent;
    const stored = this.selectKey.get(tenantId, id.subjectId, id.epoch)?.key;
    if (!stored) return this.pending.get(name)?.key;
    this.remember(name, stored);
    return stored;
  }

  /** The alias stored in place of `clearId` in this region's store, or undefined when it has none (never stored, or erased). */
  aliasOf(clearId: string): string | undefined {
    const name = `a\u0000${clearId}`;
    const recent = this.recentAliases.get(name);
    if (recent !== undefined) return recent;
    // Most UUIDs a statement carries (event ids, tenant ids) have none: the answer is kept for the turn too.
    if (this.recentMisses.has(name)) return undefined;
    const stored = this.selectAlias.get(clearId)?.alias ?? this.pendingAliases.get(clearId)?.alias;
    if (stored !== undefined) this.remember(name, stored);
    else this.remember(name, null);
    return stored;
  }

  /**
   * Looks up the aliases of many ids in one statement and keeps the answers for the turn, so
   * that the `aliasOf` calls that follow are served from memory: a statement inserting a
   * thousand rows carries a thousand row ids, which have no alias, and one lookup each would
   * cost more than the statement's sealing.
   */
  prefetchAliases(clearIds: readonly string[]): void {
    const unknown = [...new Set(clearIds)].filter((id) => !this.recentAliases.has(`a\u0000${id}`) && !this.recentMisses.has(`a\u0000${id}`));
    if (unknown.length < 2) return;
    const found = new Map(this.selectAliases.all(JSON.stringify(unknown)).map((row) => [row.clear_id, row.alias]));
    for (const id of unknown) this.remember(`a\u0000${id}`, found.get(id) ?? this.pendingAliases.get(id)?.alias ?? null);
  }

  /** `prefetchAliases` the other way round: the ids of many aliases (a page of rows) in one statement. */
  prefetchIds(aliases: readonly string[]): void {
    const unknown = [...new Set(aliases)].filter((alias) => !this.recentAliases.has(`c\u0000${alias}`));
    if (unknown.length < 2) return;
    for (const row of this.selectIds.all(JSON.stringify(unknown))) this.remember(`c\u0000${row.alias}`, row.clear_id);
  }

  /** The id an alias stands for, or undefined once its owner was erased (the link is gone). */
  clearOf(alias: string): string | undefined {
    const name = `c\u0000${alias}`;
    const recent = this.recentAliases.get(name);
    if (recent !== undefined) return recent;
    const stored = this.selectClear.get(alias)?.clear_id ?? [...this.pendingAliases.values()].find((record) => record.alias === alias)?.clearId;
    if (stored !== undefined) this.remember(name, stored);
    return stored;
  }

  /**
   * The alias of `clearId`, made on first use (a random one, kept until `ownerId` is erased or
   * the tenant leaves the region). Like a new key, a new alias is written by `settle()`, which
   * a writer awaits before storing a row that carries it.
   */
  obtainAlias(tenantId: string, clearId: string, ownerId: string): string {
    const found = this.aliasOf(clearId);
    if (found !== undefined) return found;
    const record = { clearId, alias: ALIAS_PREFIX + randomBytes(16).toString("hex"), tenantId, ownerId };
    this.pendingAliases.set(clearId, record);
    this.recentMisses.delete(`a\u0000${clearId}`);
    return record.alias;
  }

  private remember(name: string, value: Buffer | string | null): void {
    if (value === null) this.recentMisses.add(name);
    else if (typeof value === "string") this.recentAliases.set(name, value);
    else this.recent.set(name, value);
    if (!this.recentClearing) {
      this.recentClearing = true;
      setImmediate(() => {
        this.forgetRecent();
        this.recentClearing = false;
      });
    }
  }

  private forgetRecent(): void {
    this.recent.clear();
    this.recentAliases.clear();
    this.recentMisses.clear();
  }

  /**
   * The key, made on first use. A new key is held in memory until `settle()` writes it; a
   * writer must await `settle()` before it stores anything sealed under the key.
   */
  obtain(tenantId: string, id: KeyId): Buffer {
    const found = this.find(tenantId, id);
    if (found) return found;
    const record = { tenantId, ...id, key: randomBytes(KEY_BYTES) };
    this.pending.set(keyName(tenantId, id), record);
    return record.key;
  }

  /**
   * Writes the keys made since the last call in one transaction. Rejects if another writer of
   * this file made one of the same keys first: the rows sealed under ours must not be stored.
   */
  settle(): Promise<void> {
    if (this.pending.size === 0 && this.pendingAliases.size === 0) return this.settling ?? Promise.resolve();
    // Every key obtained in this turn of the event loop (a whole insert batch) goes in one commit.
    this.settling ??= Promise.resolve().then(() => {
      this.settling = null;
      const batch = [...this.pending.values()];
      const aliases = [...this.pendingAliases.values()];
      this.pending = new Map();
      this.pendingAliases = new Map();
      const now = Date.now();
      const lost = this.db.transaction(() => [
        ...batch.filter((record) => this.insertKey.run(record.tenantId, record.subjectId, record.epoch, record.key, now).changes === 0),
        ...aliases.filter((record) => this.insertAlias.run(record.clearId, record.alias, record.tenantId, record.ownerId, now).changes === 0),
      ])();
      if (lost.length > 0) {
        this.forgetRecent();
        throw new Error(`subject keys or aliases were made concurrently by another writer of ${this.file}; the write is refused, retry it`);
      }
    });
    return this.settling;
  }

  /** The tenant's key for blind indexes (lookups by principal name), made and stored on first use. */
  indexKey(tenantId: string): Buffer {
    const id = { subjectId: TENANT_INDEX_SUBJECT, epoch: NO_EPOCH };
    const found = this.selectKey.get(tenantId, id.subjectId, id.epoch)?.key;
    if (found) return found;
    this.insertKey.run(tenantId, id.subjectId, id.epoch, randomBytes(KEY_BYTES), Date.now());
    return this.selectKey.get(tenantId, id.subjectId, id.epoch)!.key;
  }

  /**
   * Destroys every key of the subjects (all their epochs) and truncates the key file's log:
   * whatever was sealed under them, wherever its bytes still are, can no longer be read.
   * The aliases the subjects own go too (docs/decisions/0051), so what the store's files keep
   * under them no longer leads to anyone; `which` can keep either. Returns how many keys and
   * aliases were destroyed.
   */
  destroy(tenantId: string, subjectIds: readonly string[], which: { keys?: boolean; aliases?: boolean } = {}): number {
    const remove = this.db.prepare("DELETE FROM subject_key WHERE tenant_id = ? AND subject_id = ?");
    const removeAliases = this.db.prepare("DELETE FROM subject_alias WHERE tenant_id = ? AND owner_id = ?");
    const destroyed = this.db.transaction(() =>
      subjectIds.reduce(
        (sum, subjectId) => sum + (which.keys === false ? 0 : remove.run(tenantId, subjectId).changes) + (which.aliases === false ? 0 : removeAliases.run(tenantId, subjectId).changes),
        0,
      ),
    )();
    this.forgetRecent();
    for (const [name, record] of this.pending) if (record.tenantId === tenantId && subjectIds.includes(record.subjectId)) this.pending.delete(name);
    for (const [name, record] of this.pendingAliases) if (record.tenantId === tenantId && subjectIds.includes(record.ownerId)) this.pendingAliases.delete(name);
    this.truncateLog();
    return destroyed;
  }

  /**
   * Destroys, in every tenant, the day keys of days before `epoch` (their data expired),
   * except those of `keep` (users under legal hold, whose expired data is kept). Returns how many.
   */
  destroyEpochsBefore(epoch: number, keep: readonly string[]): number {
    const kept = JSON.stringify([...keep]);
    const destroyed = this.db
      .prepare("DELETE FROM subject_key WHERE epoch >= 0 AND epoch < ? AND subject_id NOT IN (SELECT value FROM json_each(?))")
      .run(epoch, kept).changes;
    this.forgetRecent();
    if (destroyed > 0) this.truncateLog();
    return destroyed;
  }

  /** Destroys every key of the tenant here (its index key too): the tenant left this region. */
  destroyTenant(tenantId: string): number {
    const destroyed = this.db.transaction(
      () => this.db.prepare("DELETE FROM subject_key WHERE tenant_id = ?").run(tenantId).changes + this.db.prepare("DELETE FROM subject_alias WHERE tenant_id = ?").run(tenantId).changes,
    )();
    this.forgetRecent();
    this.truncateLog();
    return destroyed;
  }

  /** Adds keys copied from another region; a key already here is kept (a repeated copy changes nothing). */
  import(records: readonly SubjectKeyRecord[]): number {
    const now = Date.now();
    return this.db.transaction(() => records.reduce((sum, record) => sum + this.insertKey.run(record.tenantId, record.subjectId, record.epoch, record.key, now).changes, 0))();
  }

  /**
   * Adds aliases copied from another region, keeping their values, so that both regions store
   * (and order) the same rows alike; an alias already here is kept. Written at once, durably.
   */
  importAliases(records: readonly SubjectAliasRecord[]): number {
    const now = Date.now();
    const added = this.db.transaction(() => records.reduce((sum, record) => sum + this.insertAlias.run(record.clearId, record.alias, record.tenantId, record.ownerId, now).changes, 0))();
    if (added > 0) this.forgetRecent();
    return added;
  }

  /** The stored alias record of `clearId`, to copy it to another region. */
  aliasRecord(clearId: string): SubjectAliasRecord | undefined {
    return this.selectAliasRecord.get(clearId);
  }

  /** Whether a one-time step on the store this file belongs to was done (e.g. aliasing ids written before aliases). */
  stepDone(name: string): boolean {
    return this.db.prepare<[string], { n: number }>("SELECT COUNT(*) AS n FROM key_store_step WHERE name = ?").get(name)!.n > 0;
  }

  markStepDone(name: string): void {
    this.db.prepare("INSERT OR IGNORE INTO key_store_step (name, done_at) VALUES (?, ?)").run(name, Date.now());
  }

  /** Every key of one subject (all epochs), e.g. to prove they are gone from the files. */
  keysOfSubject(tenantId: string, subjectId: string): Buffer[] {
    return this.db
      .prepare<[string, string], { key: Buffer }>("SELECT key FROM subject_key WHERE tenant_id = ? AND subject_id = ? ORDER BY epoch")
      .all(tenantId, subjectId)
      .map((row) => row.key);
  }

  /** How many keys and aliases the tenant has here. */
  count(tenantId: string): number {
    const keys = this.db.prepare<[string], { n: number }>("SELECT COUNT(*) AS n FROM subject_key WHERE tenant_id = ?").get(tenantId)!.n;
    return keys + this.db.prepare<[string], { n: number }>("SELECT COUNT(*) AS n FROM subject_alias WHERE tenant_id = ?").get(tenantId)!.n;
  }

  close(): void {
    this.db.close();
  }

  private truncateLog(): void {
    this.db.pragma("wal_checkpoint(TRUNCATE)");
  }
}
