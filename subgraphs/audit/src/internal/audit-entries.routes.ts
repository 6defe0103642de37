import type { InternalRoute } from "@dgg/common";
import type { AuditDeps } from "../context";
import { appendEntries, assertMayAppend, parseEntries } from "../services/audit-entries.service";

/**
 * The only way into the trail: `POST /internal/audit/entries {entries}` -> `{recorded}`.
 * Any verified internal identity may append (every subgraph audits its writes with the
 * caller's forwarded identity); there is no public mutation, and no route edits or deletes.
 */
export function auditEntriesRoutes(deps: AuditDeps): InternalRoute[] {
  return [
    {
      method: "post",
      path: "/audit/entries",
      access: "forwarded",
      async handler({ viewer, body, token }): Promise<{ recorded: number }> {
        const entries = parseEntries(body);
        assertMayAppend(viewer, entries);
        return { recorded: await appendEntries(deps, viewer, token, entries) };
      },
    },
  ];
}
