/**
 * Scenario: the keys that make erasure physical on any engine (docs/decisions/0044).
 * - A sealed value opens only under its own key, tenant, subject, day and field.
 * - Destroying a key makes its values unreadable, and the key's bytes are gone from the key
 *   file and its log, read as raw bytes.
 * - Keys made while a batch is sealed are written together before the batch is stored, and
 *   a second writer that made the same key first makes the batch fail instead of storing
 *   rows nobody could open.
 * - Expired days lose their keys, except for users under legal hold; a copy to another region is idempotent.
 */
import { createHash } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { scanFilesForNeedles, sqliteStoreFiles } from "../src/raw-scan";
import { NO_EPOCH, SubjectKeyStore } from "../src/subject-keys/key-store";
import { blindIndex, isSealed, seal, SealedValueUnreadable, unseal } from "../src/subject-keys/seal";

const TENANT = "11111111-1111-4111-8111-111111111111";
const USER = "22222222-2222-4222-8222-222222222222";
const OTHER = "33333333-3333-4333-8333-333333333333";
const keyFile = () => join(mkdtempSync(join(tmpdir(), "dgg-keys-")), "users.subject-keys.sqlite");
const account = { subjectId: USER, epoch: NO_EPOCH };

describe("subject keys and sealing", () => {
  it("opens a sealed value only in its own context, for any text", () => {
    const store = SubjectKeyStore.open(":memory:");
    const key = store.obtain(TENANT, account);
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 200 }), (text) => {
        const context = { tenantId: TENANT, subjectId: USER, epoch: NO_EPOCH, field: "displayName" };
        const sealed = seal(key, context, text);
        expect(isSealed(sealed)).toBe(true);
        // Long enough that base64 cannot spell it by chance (64^-12 per position).
        if (text.length >= 12) expect(sealed.includes(text)).toBe(false);
        expect(unseal(key, context, sealed)).toBe(text);
        for (const moved of [{ ...context, field: "email" }, { ...context, subjectId: OTHER }, { ...context, epoch: 20000 }, { ...context, tenantId: OTHER }]) {
          expect(() => unseal(key, moved, sealed)).toThrow(SealedValueUnreadable);
        }
      }),
      { numRuns: 100 },
    );
    store.close();
  });

  it("destroys a subject's keys (every day) so its values cannot be opened, and no byte of them stays in the key file or its log", async () => {
    const file = keyFile();
    const store = SubjectKeyStore.open(file);
    const keys = [store.obtain(TENANT, account), store.obtain(TENANT, { subjectId: USER, epoch: 20000 }), store.obtain(TENANT, { subjectId: USER, epoch: 20001 })];
    const kept = store.obtain(TENANT, { subjectId: OTHER, epoch: NO_EPOCH });
    await store.settle();
    const context = { tenantId: TENANT, subjectId: USER, epoch: NO_EPOCH, field: "userPrincipalName" };
    const sealed = seal(keys[0]!, context, "ada@contoso.eu");
    expect((await scanFilesForNeedles(sqliteStoreFiles(file), [...keys, kept])).hits.length).toBeGreaterThanOrEqual(4);

    expect(store.destroy(TENANT, [USER])).toBe(3);
    expect(store.keysOfSubject(TENANT, USER)).toEqual([]);
    expect(() => unseal(store.find(TENANT, account), context, sealed)).toThrow(/destroyed/);
    const after = await scanFilesForNeedles(sqliteStoreFiles(file), [...keys, kept]);
    expect(after.hits.map((hit) => hit.needle)).toEqual(expect.arrayContaining([`0x${kept.toString("hex")}`]));
    expect(after.hits.filter((hit) => hit.needle !== `0x${kept.toString("hex")}`)).toEqual([]);
    store.close();
  });

  it("writes a batch's new keys in one commit before the batch is stored, and refuses the batch when another writer made the same key first", async () => {
    const file = keyFile();
    const first = SubjectKeyStore.open(file);
    const second = SubjectKeyStore.open(file);
    const made = Array.from({ length: 50 }, (_, day) => first.obtain(TENANT, { subjectId: USER, epoch: day }));
    // Same key asked again before the commit: the one in memory, not a second one.
    expect(first.obtain(TENANT, { subjectId: USER, epoch: 7 })).toBe(made[7]);
    expect(second.find(TENANT, { subjectId: USER, epoch: 7 })).toBeUndefined();
    await first.settle();
    expect(second.find(TENANT, { subjectId: USER, epoch: 7 })).toEqual(made[7]);

    // A race for one new key across two processes of the same file: the loser fails loudly.
    const mine = first.obtain(TENANT, { subjectId: OTHER, epoch: 1 });
    const theirs = second.obtain(TENANT, { subjectId: OTHER, epoch: 1 });
    await second.settle();
    await expect(first.settle()).rejects.toThrow(/made concurrently/);
    expect(first.find(TENANT, { subjectId: OTHER, epoch: 1 })).toEqual(theirs);
    expect(mine.equals(theirs)).toBe(false);
    first.close();
    second.close();
  });

  it("destroys the keys of expired days except held users', and imports copies idempotently", async () => {
    const store = SubjectKeyStore.open(keyFile());
    for (const subjectId of [USER, OTHER]) for (const epoch of [100, 101, 102]) store.obtain(TENANT, { subjectId, epoch });
    store.obtain(TENANT, account);
    await store.settle();
    expect(store.destroyEpochsBefore(102, [OTHER])).toBe(2);
    expect(store.keysOfSubject(TENANT, USER)).toHaveLength(2); // its account key and day 102
    expect(store.keysOfSubject(TENANT, OTHER)).toHaveLength(3);

    const target = SubjectKeyStore.open(keyFile());
    const records = [USER, OTHER].flatMap((subjectId) =>
      [NO_EPOCH, 100, 101, 102].flatMap((epoch) => {
        const key = store.find(TENANT, { subjectId, epoch });
        return key ? [{ tenantId: TENANT, subjectId, epoch, key }] : [];
      }),
    );
    expect(target.import(records)).toBe(5);
    expect(target.import(records)).toBe(0);
    expect(target.count(TENANT)).toBe(5);
    expect(target.destroyTenant(TENANT)).toBe(5);
    store.close();
    target.close();
  });

  it("keys blind indexes per tenant", () => {
    const store = SubjectKeyStore.open(":memory:");
    const here = blindIndex(store.indexKey(TENANT), "ada@contoso.eu");
    expect(blindIndex(store.indexKey(TENANT), "ada@contoso.eu")).toBe(here);
    expect(blindIndex(store.indexKey(OTHER), "ada@contoso.eu")).not.toBe(here);
    // Keyed: not the plain digest of the value, which anyone could compute from a guess.
    expect(here).toMatch(/^[0-9a-f]{64}$/);
    expect(here).not.toBe(createHash("sha256").update("ada@contoso.eu").digest("hex"));
    store.close();
  });
});
