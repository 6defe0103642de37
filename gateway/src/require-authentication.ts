import type { ApolloServerPlugin } from "@apollo/server";
import { GraphQLError, Kind, OperationTypeNode } from "graphql";
import type { OperationDefinitionNode, SelectionSetNode } from "graphql";
import type { GatewayContext } from "./context";

/** True when an operation only asks for the schema (`__schema`, `__type`, `__typename`). */
export function isIntrospectionOnly(operation: OperationDefinitionNode): boolean {
  const onlyMeta = (selectionSet: SelectionSetNode): boolean =>
    selectionSet.selections.every((selection) => {
      if (selection.kind === Kind.FIELD) return selection.name.value.startsWith("__");
      if (selection.kind === Kind.INLINE_FRAGMENT) return onlyMeta(selection.selectionSet);
      return false;
    });
  return operation.operation === OperationTypeNode.QUERY && onlyMeta(operation.selectionSet);
}

/**
 * Anonymous callers may introspect (so Sandbox can show the schema) and nothing else:
 * every other operation is refused before any subgraph is called.
 */
export const requireAuthentication: ApolloServerPlugin<GatewayContext> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ contextValue, operation }) {
        if (contextValue.viewer || (operation && isIntrospectionOnly(operation))) return;
        throw new GraphQLError("Authentication required: send 'Authorization: Bearer <token>'", {
          extensions: { code: "UNAUTHENTICATED", http: { status: 401 } },
        });
      },
    };
  },
};
