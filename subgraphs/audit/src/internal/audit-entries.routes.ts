import type { InternalRoute } from "@dgg/common";
import type { AuditDeps } from "../context";
import { assertMayAppend, parseEntries } from "../services/audit-entries.service";
import { appendRoute } from "./append-route";

/**
 * The only way into the trail: `POST /internal/audit/entries {entries}` -> `{recorded}`.
 * Any verified internal identity may append (every subgraph audits its writes with the
 * caller's forwarded identity); there is no public mutation, and no route edits or deletes.
 */
export function auditEntriesRoutes(deps: AuditDeps): InternalRoute[] {
  return [
    appendRoute(deps, "/audit/entries", (viewer, body) => {
      const entries = parseEntries(body);
      assertMayAppend(viewer, entries);
      return entries;
    }),
  ];
}
