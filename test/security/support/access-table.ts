import { readFileSync } from "node:fs";
import { join } from "node:path";

export const TABLE_ROLES = ["operator", "tenant-admin", "privacy-officer", "data-subject", "ingest"] as const;
export type TableRole = (typeof TABLE_ROLES)[number];

/**
 * The README's "Who may call what" table, parsed: operation -> the roles whose cell is
 * not "–". The suite tests exactly this table, so the README cannot drift from the code.
 */
export function readmeAccessTable(): Map<string, Set<TableRole>> {
  const readme = readFileSync(join(__dirname, "..", "..", "..", "README.md"), "utf8");
  const section = readme.split("## Who may call what")[1];
  if (!section) throw new Error("README has no 'Who may call what' section");
  const lines = section.split("\n");
  const start = lines.findIndex((line) => line.startsWith("|"));
  const end = lines.findIndex((line, index) => index > start && !line.startsWith("|"));
  const rows = lines.slice(start, end);
  const header = rows[0]!.split("|").slice(2, -1).map((cell) => cell.trim());
  if (JSON.stringify(header) !== JSON.stringify(TABLE_ROLES)) throw new Error(`README access table columns are ${JSON.stringify(header)}`);
  const table = new Map<string, Set<TableRole>>();
  for (const row of rows.slice(2)) {
    const cells = row.split("|").slice(1, -1).map((cell) => cell.trim());
    const operations = [...cells[0]!.matchAll(/`(\w+)/g)].map((match) => match[1]!);
    const allowed = new Set(TABLE_ROLES.filter((_role, index) => cells[index + 1] !== "–"));
    for (const operation of operations) table.set(operation, allowed);
  }
  return table;
}
