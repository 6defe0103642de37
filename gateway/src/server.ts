import { ApolloGateway } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginLandingPageDisabled, ApolloServerPluginUsageReportingDisabled } from "@apollo/server/plugin/disabled";
import { ApolloServerPluginLandingPageLocalDefault } from "@apollo/server/plugin/landingPage/default";
import { expressMiddleware } from "@as-integrations/express5";
import express from "express";
import type { KeyLike } from "jose";
import {
  apolloLogger,
  createErrorFormatter,
  createLogger,
  InternalTokenIssuer,
  metricsHandler,
  metricsPlugin,
  operationLogPlugin,
  requestErrorHandler,
  requestIdMiddleware,
  ServiceMetrics,
} from "@dgg/common";
import type { Clock, ServiceLogger } from "@dgg/common";
import { Histogram } from "prom-client";
import { localKeyVerifier } from "./auth/token-verifier";
import type { ClientTokenVerifier } from "./auth/token-verifier";
import { mountConsole } from "./console";
import type { ConsoleOptions } from "./console";
import { createGatewayContext } from "./context";
import type { GatewayContext } from "./context";
import { mountExportDownloads } from "./export-downloads";
import { IdentityForwardingDataSource } from "./identity-forwarding";
import { keepAliveFetcher } from "./subgraph-fetcher";
import { operationPolicy } from "./operation-policy";
import { armorProtection, DEFAULT_LIMITS, pageBudget, requestShape } from "./query-limits";
import type { QueryLimits } from "./query-limits";
import { requireAuthentication } from "./require-authentication";

export interface GatewayOptions {
  /** The committed, composed supergraph (schema/supergraph.graphql). */
  supergraphSdl: string;
  /** Subgraph name (as in rover.yaml) → GraphQL endpoint; overrides the supergraph's routing URLs. */
  subgraphUrls: Record<string, string>;
  /** The embedded default: client tokens signed by the local issuer key. */
  issuerPublicKey?: KeyLike;
  /** Any other verifier (OIDC in production); wins over `issuerPublicKey`. */
  tokenVerifier?: ClientTokenVerifier;
  internalPrivateKey: KeyLike;
  clock: Clock;
  /** Production: no introspection, no landing page, no field suggestions. */
  production: boolean;
  /** Largest request body (express syntax, e.g. "16mb"); telemetry batches need a few MB. */
  bodyLimit?: string;
  /** Overrides of DEFAULT_LIMITS. */
  limits?: Partial<QueryLimits>;
  /** Base URL of the audit service (refused operations are recorded there); defaults to the audit subgraph's. */
  auditUrl?: string;
  /** Governance's base URL, for the archive download links it issues (`/exports/...`). */
  governanceUrl?: string;
  /** Bearer token `/metrics` requires; defaults to METRICS_TOKEN (unset: open, for a private network). */
  metricsToken?: string;
  /** Where the gateway logs; created from LOG_FORMAT / LOG_LEVEL when not given. */
  log?: ServiceLogger;
  /** The privacy console at `/console` (docs/decisions/0050). */
  console?: ConsoleOptions;
}

function verifierOf(options: GatewayOptions): ClientTokenVerifier {
  if (options.tokenVerifier) return options.tokenVerifier;
  if (options.issuerPublicKey) return localKeyVerifier(options.issuerPublicKey, options.clock);
  throw new Error("the gateway needs a tokenVerifier or an issuerPublicKey");
}

export interface Gateway {
  app: express.Express;
  stop(): Promise<void>;
}

/** Each subgraph whose `/ready` does not answer 200 within two seconds, with why. */
async function subgraphProblems(subgraphUrls: Record<string, string>): Promise<string[]> {
  const problems = await Promise.all(
    Object.entries(subgraphUrls).map(async ([name, url]) => {
      try {
        const response = await fetch(url.replace(/\/graphql$/, "/ready"), { signal: AbortSignal.timeout(2_000) });
        return response.ok ? null : `${name}: answered ${response.status}`;
      } catch (error) {
        return `${name}: ${error instanceof Error ? error.message : String(error)}`;
      }
    }),
  );
  return problems.filter((problem): problem is string => problem !== null);
}

/** Builds the gateway's HTTP app (without listening): `/graphql`, `/health` (liveness) and `/ready`. */
export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const metrics = new ServiceMetrics("gateway");
  const log = options.log ?? createLogger("gateway");
  const fetchDuration = new Histogram({
    name: "dgg_subgraph_fetch_duration_seconds",
    help: "Subgraph fetches of the gateway's query plans, by subgraph and outcome (ok, or the first error's code).",
    labelNames: ["subgraph", "outcome"],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [metrics.registry],
  });
  // One internal token per viewer, reused for half its life (docs/decisions/0052).
  const tokens = new InternalTokenIssuer(options.internalPrivateKey, "dgg-gateway", options.clock);
  // One keep-alive connection pool for every subgraph call of this gateway.
  const fetcher = keepAliveFetcher();
  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    logger: apolloLogger(log),
    buildService: ({ name, url }) => {
      const target = options.subgraphUrls[name] ?? url;
      if (!target) throw new Error(`no URL for subgraph ${name}`);
      return new IdentityForwardingDataSource({ url: target, fetcher }, tokens, { subgraph: name, histogram: fetchDuration });
    },
  });
  const verifier = verifierOf(options);
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const armor = armorProtection(limits, options.production);
  const auditUrl = options.auditUrl ?? options.subgraphUrls.audit?.replace(/\/graphql$/, "");
  if (!auditUrl) throw new Error("the gateway needs the audit service's URL to record refused operations");
  const server = new ApolloServer<GatewayContext>({
    gateway,
    introspection: !options.production,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    validationRules: armor.validationRules,
    formatError: createErrorFormatter(log),
    logger: apolloLogger(log),
    plugins: [
      metricsPlugin<GatewayContext>(metrics),
      operationLogPlugin<GatewayContext>(log),
      ...armor.plugins,
      requireAuthentication,
      operationPolicy({ auditUrl, tokens, log }),
      pageBudget(limits.maxPageRows),
      ApolloServerPluginUsageReportingDisabled(),
      options.production ? ApolloServerPluginLandingPageDisabled() : ApolloServerPluginLandingPageLocalDefault({ embed: true }),
    ],
  });
  await server.start();
  const app = express();
  app.disable("x-powered-by");
  app.use(requestIdMiddleware());
  app.get("/health", (_req, res) => {
    res.json({ service: "gateway", status: "ok" });
  });
  app.get("/metrics", metricsHandler(metrics, options.metricsToken ?? process.env.METRICS_TOKEN));
  // Ready when the supergraph is loaded (server.start() resolved above) and every subgraph is ready.
  app.get("/ready", async (_req, res) => {
    const problems = await subgraphProblems(options.subgraphUrls);
    res.status(problems.length === 0 ? 200 : 503).json({ service: "gateway", status: problems.length === 0 ? "ready" : "unavailable", problems });
  });
  const governanceUrl = options.governanceUrl ?? options.subgraphUrls.governance?.replace(/\/graphql$/, "");
  if (governanceUrl) {
    mountExportDownloads(app, { governanceUrl, verifier, tokens, log });
  }
  if (options.console) {
    mountConsole(app, { ...options.console, verifier, clock: options.clock, production: options.production, log });
  }
  app.use(
    "/graphql",
    express.json({ limit: options.bodyLimit ?? "16mb" }),
    requestShape(limits),
    expressMiddleware(server, { context: ({ req }) => createGatewayContext(req, verifier, log) }),
  );
  app.use("/graphql", requestErrorHandler("graphql", log));
  return { app, stop: () => server.stop() };
}
