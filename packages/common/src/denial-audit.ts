import type { ApolloServerPlugin } from "@apollo/server";
import { unwrapResolverError } from "@apollo/server/errors";
import type { AuditClient, DenialRecord } from "./audit-client";
import { ForbiddenError } from "./errors";
import type { Viewer } from "./identity";
import type { ServiceLogger } from "./logging/logger";

/** Records refused attempts in the access audit; a subgraph passes its audit client's, audit its own store's. */
export type DenialRecorder = (viewer: Viewer, token: string, denials: DenialRecord[]) => Promise<void>;

/** The recorder of a service that has an audit client: each refusal goes to the audit service under the caller's token. */
export function denialsToAudit(audit: AuditClient): DenialRecorder {
  return (_viewer, token, denials) => audit.recordDenials(token, denials);
}

/** A refusal as the access audit records it: the caller's message and the target the refusing code knew. */
export function denialOf(error: ForbiddenError, operation: string): DenialRecord {
  return {
    operation: operation.slice(0, 200),
    reason: error.message.slice(0, 1000),
    targetTenantId: error.target.tenantId ?? null,
    targetUserId: error.target.userId ?? null,
  };
}

/**
 * Records refusals without changing the caller's answer: the caller gets its FORBIDDEN
 * either way (an audit outage must not turn a refusal into a different, telling error),
 * and a recording failure is logged for the operators.
 */
export async function recordQuietly(
  log: ServiceLogger,
  recorder: DenialRecorder,
  caller: { viewer: Viewer; token: string },
  denials: DenialRecord[],
): Promise<void> {
  if (denials.length === 0) return;
  try {
    await recorder(caller.viewer, caller.token, denials);
  } catch (error) {
    // The caller by role and tenant: its subject may be an email at a real IdP.
    log.error({ err: error, refusals: denials.length, role: caller.viewer.role, tenantId: caller.viewer.tenantId }, "could not record refused attempts in the access audit");
  }
}

/** `personalData`, `_entities.auditLog`: the field path without list indexes. */
function operationOf(path: readonly (string | number)[] | undefined, fallback: string): string {
  const names = (path ?? []).filter((part): part is string => typeof part === "string");
  return names.length > 0 ? names.join(".") : fallback;
}

/**
 * Apollo plugin: every FORBIDDEN a subgraph answers becomes an access-audit entry with
 * the verified caller as actor, before the answer leaves (see docs/decisions/0011).
 */
export function denialAudit<C extends object>(
  log: ServiceLogger,
  callerOf: (context: C) => { viewer: Viewer; token: string } | undefined,
  recorder: DenialRecorder,
): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors(requestContext) {
          const caller = callerOf(requestContext.contextValue);
          if (!caller) return;
          const seen = new Set<string>();
          const denials: DenialRecord[] = [];
          for (const error of requestContext.errors) {
            const original = unwrapResolverError(error);
            if (!(original instanceof ForbiddenError)) continue;
            const denial = denialOf(original, operationOf(error.path, requestContext.operationName ?? "graphql"));
            const key = JSON.stringify(denial);
            if (seen.has(key)) continue;
            seen.add(key);
            denials.push(denial);
          }
          await recordQuietly(log, recorder, caller, denials);
        },
      };
    },
  };
}
