import { RemoteGraphQLDataSource } from "@apollo/gateway";
import type { GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import type { KeyLike } from "jose";
import { INTERNAL_TOKEN_HEADER, signInternalToken, UnauthenticatedError } from "@dgg/common";
import type { Clock } from "@dgg/common";
import type { GatewayContext } from "./context";

/**
 * Calls a subgraph with a short-lived internal identity signed by the gateway, minted
 * once per client request. Subgraphs trust only this header, never the client's token.
 */
export class IdentityForwardingDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    options: { url: string },
    private readonly signingKey: KeyLike,
    private readonly clock: Clock,
  ) {
    super(options);
  }

  override async willSendRequest(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<void> {
    if (!("context" in options) || !options.context || !("viewer" in options.context)) return;
    const context = options.context;
    if (!context.viewer) throw new UnauthenticatedError();
    context.internalToken ??= signInternalToken(context.viewer, this.signingKey, "dgg-gateway", this.clock.now());
    options.request.http?.headers.set(INTERNAL_TOKEN_HEADER, await context.internalToken);
  }
}
