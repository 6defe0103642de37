/**
 * The redaction an audit erasure applies to details (docs/decisions/0033): only evidence
 * that names nobody survives, matching is case-insensitive and by whole token, and
 * redacting twice changes nothing.
 */
import fc from "fast-check";
import { Needles, redactDetails } from "../src/services/redaction";

const requestId = "0b6f1a52-3c1d-4e8e-9a55-1d2f3b4c5d6e";
const userId = "7c9e6679-7425-40de-944b-e07fc1f90ae7";

describe("audit details redaction", () => {
  it("keeps ids of records, enum constants, times, hashes, counts and booleans; drops free text and identifiers", () => {
    const needles = new Needles([userId, "ada@contoso.com"]);
    const details = {
      requestId,
      kind: "RESTRICT_PROCESSING",
      status: "completed by Ada",
      dueAt: "2026-01-31T00:00:00.000Z",
      manifestSha256: "a".repeat(64),
      erased: [
        { category: "TELEMETRY", count: 12 },
        { category: "AUDIT_LOG", count: 3, note: "x" },
      ],
      reason: "Litigation: Ada v. Contoso",
      userPrincipalName: "ada@contoso.com",
      holdId: userId,
      employeeNumber: 4711,
      "ada@contoso.com": true,
      urgent: false,
      nested: { by: "privacy-officer", name: "Ada" },
      tags: ["VIP", "Ada"],
    };
    expect(redactDetails(details, needles)).toEqual({
      requestId,
      kind: "RESTRICT_PROCESSING",
      dueAt: "2026-01-31T00:00:00.000Z",
      manifestSha256: "a".repeat(64),
      erased: [
        { category: "TELEMETRY", count: 12 },
        { category: "AUDIT_LOG", count: 3 },
      ],
      urgent: false,
      nested: { by: "privacy-officer" },
      redacted: true,
    });
    expect(redactDetails(null, needles)).toBeNull();
    // Keys named like Object.prototype's members are keys like any other.
    expect(redactDetails({ toString: "x", constructor: 1, __proto__x: true }, needles)).toEqual({ constructor: 1, __proto__x: true, redacted: true });
  });

  it("matches a value case-insensitively as a whole token, never inside a longer word", () => {
    const needles = new Needles(["Al", "ADA@contoso.com", "Ærø Ødegård"]);
    expect(needles.mentionedIn({ note: "the total" })).toBe(false);
    expect(needles.mentionedIn({ note: "call Al today" })).toBe(true);
    expect(needles.mentionedIn({ to: ["mail ada@CONTOSO.com."] })).toBe(true);
    expect(needles.mentionedIn({ to: "nada@contoso.com" })).toBe(false);
    expect(needles.mentionedIn({ who: "ærø ødegård" })).toBe(true);
    expect(needles.mentionedIn({ "Al": 1 })).toBe(true);
    expect(needles.mentionedIn({ count: 42 })).toBe(false);
    // Characters that mean something in a regular expression are matched literally.
    expect(new Needles(["a.b(c)*"]).matches("x a.b(c)* y")).toBe(true);
    expect(new Needles(["a.b(c)*"]).matches("x aXb(c) y")).toBe(false);
  });

  it("matches exactly where one whole-token pattern per value would, however many values", () => {
    // The patterns Needles used to compile, one per value: the reference.
    const one = (value: string) => new RegExp(`(?<![\\p{L}\\p{N}])${value.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![\\p{L}\\p{N}])`, "iu");
    // Values that share prefixes and sit inside one another ("al", "alan", "al.an"), in any case, with punctuation and non-Latin letters.
    const piece = fc.constantFrom("al", "AN", "an", ".", "-", "@", "ø", "Æ", "1", "0", " ", "(", "*", "ß", "İ");
    const value = fc.array(piece, { minLength: 1, maxLength: 4 }).map((parts) => parts.join(""));
    const text = fc.array(fc.oneof(piece, fc.constantFrom("x", "9", "é", "\n")), { maxLength: 12 }).map((parts) => parts.join(""));
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 8 }), fc.array(text, { minLength: 1, maxLength: 6 }), (values, texts) => {
        const needles = new Needles(values);
        for (const sample of texts) expect(needles.matches(sample)).toBe(values.some((v) => one(v).test(sample)));
      }),
      { numRuns: 500 },
    );
    // More values than one compiled pattern holds: the last group is searched too.
    const many = Array.from({ length: 700 }, (_, i) => `device-serial-${i}`);
    const needles = new Needles(many);
    expect(needles.matches("seen SN device-serial-699 today")).toBe(true);
    expect(needles.matches("seen SN device-serial-6990 today")).toBe(false);
    expect(needles.matches("device-serial-0")).toBe(true);
  });

  it("never says no on the JSON text of details that name a value (the erasure's scan skips on a no)", () => {
    // Values and strings of names, punctuation, escapes JSON writes ("\n", "\"", "\\", control
    // characters, a lone surrogate) and non-Latin letters, sitting next to each other.
    const piece = fc.constantFrom("al", "AN", "an", ".", "-", "@", "ø", "Æ", "1", " ", "ß", "İ", "\n", "\t", '"', "\\", "\u0001", "\ud800", "u00e9", "n");
    const value = fc.array(piece, { minLength: 1, maxLength: 3 }).map((parts) => parts.join(""));
    const text = fc.array(fc.oneof(piece, fc.constantFrom("x", "9", "é")), { maxLength: 10 }).map((parts) => parts.join(""));
    const json = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: "small" }, text, fc.integer(), fc.boolean(), fc.array(tie("node"), { maxLength: 3 }), fc.dictionary(text, tie("node"), { maxKeys: 3 })),
    })).node;
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 4 }), fc.dictionary(text, json, { maxKeys: 4 }), (values, details) => {
        const needles = new Needles(values);
        if (needles.mentionedIn(details)) expect(needles.mayBeMentionedInJson(JSON.stringify(details))).toBe(true);
      }),
      { numRuns: 2000 },
    );
    // It does say no, or it would save nothing: text naming none of the values, escapes included.
    const needles = new Needles(["ada@contoso.com", "7c9e6679-7425-40de-944b-e07fc1f90ae7"]);
    expect(needles.mayBeMentionedInJson(JSON.stringify({ note: "nada@contoso.com\n", by: "officer" }))).toBe(false);
    expect(needles.mayBeMentionedInJson(JSON.stringify({ note: "line\nada@contoso.com" }))).toBe(true);
    expect(needles.mayBeMentionedInJson(JSON.stringify({ about: "7C9E6679-7425-40DE-944B-E07FC1F90AE7" }))).toBe(true);
  });

  it("is idempotent on any JSON object", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.array(fc.string({ minLength: 1 }), { maxLength: 3 }), (details, values) => {
        const needles = new Needles(values);
        const once = redactDetails(details, needles);
        expect(redactDetails(once, needles)).toEqual(once);
      }),
    );
  });
});
