/**
 * `npm run schema:diff` as CI runs it, against fixtures: a base whose API the committed
 * supergraph breaks (a root field removed, an argument made required) must fail naming each
 * change, pass once BREAKING.md lists them with reasons, and never fail on a change that is
 * only dangerous (an enum value added).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const ROOT = join(__dirname, "..", "..");
const CURRENT = readFileSync(join(ROOT, "schema", "supergraph.graphql"), "utf8");
const dir = mkdtempSync(join(tmpdir(), "schema-diff-"));

async function schemaDiff(base: string, allow?: string): Promise<{ code: number; output: string }> {
  const baseFile = join(dir, `base-${Math.random().toString(36).slice(2)}.graphql`);
  writeFileSync(baseFile, base);
  const args = [join(ROOT, "scripts", "schema-diff.mjs"), "--base-file", baseFile];
  if (allow !== undefined) {
    const allowFile = join(dir, `allow-${Math.random().toString(36).slice(2)}.md`);
    writeFileSync(allowFile, allow);
    args.push("--allow-file", allowFile);
  }
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, args, { cwd: ROOT });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, output: `${failed.stdout ?? ""}${failed.stderr ?? ""}` };
  }
}

/** A base with one more root field than the committed supergraph: the change under test removed it. */
function baseWithRemovedFieldAndOptionalArgument(): string {
  const withField = CURRENT.replace(/^type Query\n((?: {2}@join__type\(graph: \w+\)\n)+)\{\n/m, (match) => `${match}  legacyReport(id: ID!): String @join__field(graph: GOVERNANCE)\n`);
  expect(withField).not.toBe(CURRENT);
  return withField;
}

describe("schema:diff", () => {
  it("passes when nothing changed", async () => {
    const result = await schemaDiff(CURRENT, "");
    expect(result.output).toContain("0 changes, 0 breaking");
    expect(result.code).toBe(0);
  });

  it("fails on a breaking change that BREAKING.md does not list, naming it, and passes once it is listed with a reason", async () => {
    const base = baseWithRemovedFieldAndOptionalArgument();
    const refused = await schemaDiff(base, "");
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(/breaking: Query\.legacyReport: Field 'legacyReport' .*removed/);
    expect(refused.output).toContain("not listed in schema/BREAKING.md: Query.legacyReport");
    // A path without a reason does not count.
    expect((await schemaDiff(base, "- `Query.legacyReport`\n")).code).toBe(1);
    const accepted = await schemaDiff(base, "- `Query.legacyReport`: replaced by privacyRequest { history }\n");
    expect(accepted.output).toContain("breaking (listed in BREAKING.md): Query.legacyReport");
    expect(accepted.code).toBe(0);
  });

  it("fails when an argument becomes required, and only prints a dangerous change", async () => {
    // A base where restrictProcessing's `user` was optional: the committed one requires it.
    const relaxed = CURRENT.replace("restrictProcessing(reason: String, user: ID!)", "restrictProcessing(reason: String, user: ID)");
    expect(relaxed).not.toBe(CURRENT);
    const refused = await schemaDiff(relaxed, "");
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(/breaking: Mutation\.restrictProcessing\.user: /);
    // The base lacked an enum value the current one has: dangerous, printed, not a failure.
    const fewerValues = CURRENT.replace("  CANCELED @join__enumValue(graph: GOVERNANCE)\n", "");
    expect(fewerValues).not.toBe(CURRENT);
    const dangerous = await schemaDiff(fewerValues, "");
    expect(dangerous.output).toMatch(/dangerous: PrivacyRequestStatus\.CANCELED: /);
    expect(dangerous.code).toBe(0);
  });
});
