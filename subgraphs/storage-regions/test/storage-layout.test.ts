/**
 * Scenario: an operator deploys storage-regions with a STORAGE_LAYOUT describing where each
 * data category is kept. A usable layout is parsed in category order; a broken one stops
 * the start with a message that names what is wrong.
 */
import { DataCategory, Region, StorageKind } from "@dgg/common";
import { DEFAULT_STORAGE_LAYOUT, locationsIn, parseStorageLayout, StorageLayoutError, storageLayoutFromEnv } from "../src/storage-layout";

describe("storage layout", () => {
  it("parses the default as what this deployment does", () => {
    expect(DEFAULT_STORAGE_LAYOUT).toBe("ACCOUNT=SQL_DATABASE;SERVICE_DATA=SQL_DATABASE;TELEMETRY=TELEMETRY_STORE;AUDIT_LOG=SQL_DATABASE");
    expect(parseStorageLayout(DEFAULT_STORAGE_LAYOUT).entries).toEqual([
      { category: DataCategory.ACCOUNT, kinds: [StorageKind.SQL_DATABASE] },
      { category: DataCategory.SERVICE_DATA, kinds: [StorageKind.SQL_DATABASE] },
      { category: DataCategory.TELEMETRY, kinds: [StorageKind.TELEMETRY_STORE] },
      { category: DataCategory.AUDIT_LOG, kinds: [StorageKind.SQL_DATABASE] },
    ]);
  });

  it("accepts several kinds per category, any order, spaces and a trailing ';'", () => {
    const layout = parseStorageLayout(
      " AUDIT_LOG = SQL_DATABASE ; TELEMETRY=TELEMETRY_STORE;SERVICE_DATA=SQL_DATABASE, RELIABLE_COLLECTION;ACCOUNT=SQL_DATABASE; ",
    );
    expect(layout.entries.map((entry) => entry.category)).toEqual(Object.values(DataCategory));
    expect(locationsIn(layout, Region.ASIA_PACIFIC).filter((location) => location.category === DataCategory.SERVICE_DATA)).toEqual([
      { category: DataCategory.SERVICE_DATA, kind: StorageKind.SQL_DATABASE, region: Region.ASIA_PACIFIC },
      { category: DataCategory.SERVICE_DATA, kind: StorageKind.RELIABLE_COLLECTION, region: Region.ASIA_PACIFIC },
    ]);
  });

  it.each([
    ["a missing category", "ACCOUNT=SQL_DATABASE;SERVICE_DATA=SQL_DATABASE;TELEMETRY=TELEMETRY_STORE", "is missing category AUDIT_LOG"],
    ["nothing at all", ";", "is missing categories ACCOUNT, SERVICE_DATA, TELEMETRY, AUDIT_LOG"],
    ["an unknown category", `${DEFAULT_STORAGE_LAYOUT};BILLING=SQL_DATABASE`, 'unknown category "BILLING"'],
    ["an unknown kind", "ACCOUNT=SQL_DATABASE;SERVICE_DATA=MONGO;TELEMETRY=TELEMETRY_STORE;AUDIT_LOG=SQL_DATABASE", 'category SERVICE_DATA an unknown storage kind "MONGO"'],
    ["a lower-case kind", "ACCOUNT=sql_database;SERVICE_DATA=SQL_DATABASE;TELEMETRY=TELEMETRY_STORE;AUDIT_LOG=SQL_DATABASE", 'unknown storage kind "sql_database"'],
    ["an entry without '='", "ACCOUNT;SERVICE_DATA=SQL_DATABASE;TELEMETRY=TELEMETRY_STORE;AUDIT_LOG=SQL_DATABASE", `entry "ACCOUNT" has no '='`],
    ["a category twice", `${DEFAULT_STORAGE_LAYOUT};ACCOUNT=BLOB_STORAGE`, "names category ACCOUNT twice"],
    ["a category without kinds", "ACCOUNT=;SERVICE_DATA=SQL_DATABASE;TELEMETRY=TELEMETRY_STORE;AUDIT_LOG=SQL_DATABASE", "gives category ACCOUNT no storage kind"],
    ["an empty kind in a list", "ACCOUNT=SQL_DATABASE,;SERVICE_DATA=SQL_DATABASE;TELEMETRY=TELEMETRY_STORE;AUDIT_LOG=SQL_DATABASE", 'unknown storage kind ""'],
    ["a kind twice", "ACCOUNT=SQL_DATABASE,SQL_DATABASE;SERVICE_DATA=SQL_DATABASE;TELEMETRY=TELEMETRY_STORE;AUDIT_LOG=SQL_DATABASE", "kind SQL_DATABASE twice"],
  ])("refuses %s with a message naming it", (_case, text, problem) => {
    expect(() => parseStorageLayout(text)).toThrow(StorageLayoutError);
    expect(() => parseStorageLayout(text)).toThrow(problem);
    // The message also shows what was received and what would have been valid.
    expect(() => parseStorageLayout(text)).toThrow(JSON.stringify(text));
    expect(() => parseStorageLayout(text)).toThrow("kinds SQL_DATABASE, RELIABLE_COLLECTION, BLOB_STORAGE, TELEMETRY_STORE");
  });

  it("reads STORAGE_LAYOUT, falling back to the default when unset or blank", () => {
    const fallback = parseStorageLayout(DEFAULT_STORAGE_LAYOUT);
    expect(storageLayoutFromEnv({})).toEqual(fallback);
    expect(storageLayoutFromEnv({ STORAGE_LAYOUT: "  " })).toEqual(fallback);
    const custom = storageLayoutFromEnv({ STORAGE_LAYOUT: "ACCOUNT=BLOB_STORAGE;SERVICE_DATA=SQL_DATABASE;TELEMETRY=TELEMETRY_STORE;AUDIT_LOG=SQL_DATABASE" });
    expect(custom.entries[0]).toEqual({ category: DataCategory.ACCOUNT, kinds: [StorageKind.BLOB_STORAGE] });
    expect(() => storageLayoutFromEnv({ STORAGE_LAYOUT: "ACCOUNT=TAPE" })).toThrow('STORAGE_LAYOUT gives category ACCOUNT an unknown storage kind "TAPE"');
  });
});
