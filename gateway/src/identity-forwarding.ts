import { RemoteGraphQLDataSource } from "@apollo/gateway";
import type { GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import type { Histogram } from "prom-client";
import { GraphQLError } from "graphql";
import { currentRequestId, INTERNAL_TOKEN_HEADER, outcomeOf, REQUEST_ID_HEADER, UnauthenticatedError } from "@dgg/common";
import type { InternalTokenIssuer } from "@dgg/common";
import type { GatewayContext } from "./context";

type SubgraphResponse = Parameters<RemoteGraphQLDataSource["errorFromResponse"]>[0];
type GatewayGraphQLResponse = Awaited<ReturnType<RemoteGraphQLDataSource["process"]>>;

/** What a subgraph may blame on the client; the rest is the system's fault and is masked. */
const CLIENT_FAULT_CODES = new Set(["BAD_USER_INPUT", "FORBIDDEN", "NOT_FOUND", "CONFLICT", "UNAVAILABLE", "GRAPHQL_VALIDATION_FAILED", "BAD_REQUEST"]);

/**
 * Calls a subgraph with a short-lived internal identity signed by the gateway (one per
 * viewer, reused for half its life: InternalTokenIssuer). Subgraphs trust only this header,
 * never the client's token.
 */
export class IdentityForwardingDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    options: { url: string; fetcher?: RemoteGraphQLDataSource["fetcher"] },
    private readonly tokens: InternalTokenIssuer,
    private readonly timing?: { subgraph: string; histogram: Histogram<"subgraph" | "outcome"> },
  ) {
    super(options);
  }

  /** Each subgraph fetch, as the gateway sees it, into `dgg_subgraph_fetch_duration_seconds`. */
  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    if (!this.timing) return super.process(options);
    const { subgraph, histogram } = this.timing;
    const stop = histogram.startTimer({ subgraph });
    try {
      const response = await super.process(options);
      stop({ outcome: outcomeOf(response.errors) });
      return response;
    } catch (error) {
      stop({ outcome: error instanceof GraphQLError && typeof error.extensions.code === "string" ? error.extensions.code : "UNAVAILABLE" });
      throw error;
    }
  }

  /**
   * A subgraph that refuses a request at the HTTP level (a variable its scalar rejects,
   * e.g. a DateTime in year 10000, answers 400) sends GraphQL errors with contract codes.
   * The stock gateway turns every such answer into "400: Bad Request", an internal error
   * for the client, and copies the subgraph's URL and body into the extensions. Here a
   * client-fault code passes on with its message and argument; anything else becomes a
   * plain error, which the formatter masks and logs.
   */
  override async errorFromResponse(response: SubgraphResponse): Promise<GraphQLError> {
    const body = (await this.parseBody(response).catch(() => null)) as { errors?: { message?: unknown; extensions?: Record<string, unknown> }[] } | null;
    const first = body?.errors?.[0];
    const code = first?.extensions?.code;
    if (typeof code === "string" && CLIENT_FAULT_CODES.has(code) && typeof first?.message === "string") {
      const argument = first.extensions?.argument;
      return new GraphQLError(first.message, { extensions: { code, ...(typeof argument === "string" ? { argument } : {}) } });
    }
    return new GraphQLError(`subgraph at ${response.url} answered ${response.status} ${response.statusText}: ${JSON.stringify(body).slice(0, 500)}`);
  }

  /** Each subgraph call carries the client request's identity and its `x-request-id` (one id in every service's log lines). */
  override async willSendRequest(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<void> {
    const requestId = currentRequestId();
    if (requestId) options.request.http?.headers.set(REQUEST_ID_HEADER, requestId);
    if (!("context" in options) || !options.context || !("viewer" in options.context)) return;
    const context = options.context as GatewayContext;
    if (!context.viewer) throw new UnauthenticatedError();
    context.internalToken ??= this.tokens.tokenFor(context.viewer);
    options.request.http?.headers.set(INTERNAL_TOKEN_HEADER, await context.internalToken);
  }
}
