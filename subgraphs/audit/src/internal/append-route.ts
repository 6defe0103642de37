import type { InternalRoute, Viewer } from "@dgg/common";
import type { AuditDeps } from "../context";
import { appendEntries } from "../services/audit-entries.service";
import type { NewAuditEntry } from "../services/audit-entries.service";

/**
 * A way into the trail: `POST /internal<path>` -> `{recorded}`, open to any verified internal
 * identity (each writer appends with its caller's forwarded identity). `entriesOf` parses and
 * checks the body into the entries to append; `unknownTenants` as `appendEntries` takes it.
 */
export function appendRoute(
  deps: AuditDeps,
  path: string,
  entriesOf: (viewer: Viewer, body: unknown) => readonly NewAuditEntry[],
  unknownTenants: "refuse" | "platform" = "refuse",
): InternalRoute {
  return {
    method: "post",
    path,
    access: "forwarded",
    async handler({ viewer, body, token }): Promise<{ recorded: number }> {
      return { recorded: await appendEntries(deps, viewer, token, entriesOf(viewer, body), unknownTenants) };
    },
  };
}
