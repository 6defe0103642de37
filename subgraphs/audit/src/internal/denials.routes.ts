import type { InternalRoute } from "@dgg/common";
import type { AuditDeps } from "../context";
import { denialEntries, parseDenials } from "../services/denials.service";
import { appendRoute } from "./append-route";

/**
 * `POST /internal/audit/denials {denials}` -> `{recorded}`: the access audit's refusals.
 * Any verified identity may report its own refusal (the actor is that identity, never
 * the body's); the entry shape is fixed here, so a writer cannot use it to write into
 * another tenant's trail anything but "this actor was refused this operation".
 */
export function denialRoutes(deps: AuditDeps): InternalRoute[] {
  return [appendRoute(deps, "/audit/denials", (viewer, body) => denialEntries(viewer, parseDenials(body)), "platform")];
}
