import type { ApolloServerPlugin } from "@apollo/server";
import { GraphQLError } from "graphql";
import { AuditClient, denialsToAudit, mayCall, recordQuietly } from "@dgg/common";
import type { InternalTokenIssuer, ServiceLogger } from "@dgg/common";
import type { GatewayContext } from "./context";
import { rootFieldsOf } from "./root-fields";

/**
 * Refuses, before any subgraph is called, an operation whose root fields the caller's role
 * may never call (OPERATION_ROLES in @dgg/common), and records the refusal in the access audit with the
 * caller as actor. The subgraphs check again, with the data (defence in depth).
 */
export function operationPolicy(options: { auditUrl: string; tokens: InternalTokenIssuer; log: ServiceLogger }): ApolloServerPlugin<GatewayContext> {
  const audit = new AuditClient(options.auditUrl);
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, operation, document }) {
          const viewer = contextValue.viewer;
          if (!viewer || !operation) return;
          const refused = rootFieldsOf(operation, document).filter((field) => !mayCall(viewer.role, field));
          if (refused.length === 0) return;
          const message = `role ${viewer.role} may not call ${refused.join(", ")}`;
          contextValue.internalToken ??= options.tokens.tokenFor(viewer);
          await recordQuietly(
            options.log,
            denialsToAudit(audit),
            { viewer, token: await contextValue.internalToken },
            refused.map((field) => ({ operation: `${operation.operation}.${field}`, reason: message, targetTenantId: null, targetUserId: null })),
          );
          throw new GraphQLError(message, { extensions: { code: "FORBIDDEN", http: { status: 403 } } });
        },
      };
    },
  };
}
