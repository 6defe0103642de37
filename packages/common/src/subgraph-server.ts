import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { expressMiddleware } from "@as-integrations/express5";
import express from "express";
import type { Request, Response } from "express";
import { GraphQLError } from "graphql";
import type { GraphQLSchema } from "graphql";
import type { KeyLike } from "jose";
import type { DataSource } from "typeorm";
import type { Clock } from "./clock";
import { denialAudit, denialOf, recordQuietly } from "./denial-audit";
import type { DenialRecorder } from "./denial-audit";
import { ForbiddenError, ServiceError } from "./errors";
import { createErrorFormatter } from "./format-error";
import { INTERNAL_TOKEN_HEADER } from "./identity";
import { VerifiedTokenCache } from "./internal-tokens";
import type { Viewer } from "./identity";
import { apolloLogger, durationMs, operationLogPlugin } from "./logging/graphql";
import { requestIdMiddleware } from "./logging/context";
import { createLogger } from "./logging/logger";
import type { ServiceLogger } from "./logging/logger";
import { assertServiceIdentity } from "./personal-data-contract";
import { metricsHandler, metricsPlugin, ServiceMetrics } from "./metrics";
import { storeProblems } from "./readiness";
import { tracingPlugin } from "./tracing/graphql-plugin";
import { requestErrorHandler } from "./request-errors";

/** What an internal-contract handler receives: the verified caller and the request's parts. */
export interface InternalRequest {
  viewer: Viewer;
  token: string;
  params: Record<string, string>;
  query: Record<string, string | undefined>;
  body: unknown;
}

/** A handler's answer sent as it is, not as JSON (the export's NDJSON pages). */
export class RawAnswer {
  constructor(
    readonly contentType: string,
    readonly body: string,
    readonly headers: Record<string, string> = {},
  ) {}
}

export interface InternalRoute {
  method: "get" | "post";
  path: string;
  /**
   * Who may call: `service` (the default, fail closed) is governance's service identity
   * only, as the personal-data contract requires; `forwarded` is any verified internal
   * identity, for helpers that act with the caller's own identity (audit appends, lookups).
   */
  access?: "service" | "forwarded";
  handler(request: InternalRequest): Promise<unknown>;
}

export interface SubgraphAppOptions<C extends object> {
  name: string;
  schema: GraphQLSchema;
  internalPublicKey: KeyLike;
  clock: Clock;
  /** Builds the per-request context (loaders, store) for a verified viewer. */
  context(viewer: Viewer, token: string): C | Promise<C>;
  internalRoutes?: InternalRoute[];
  /** Every FORBIDDEN this subgraph answers is recorded through this (see docs/decisions/0011). */
  recordDenials: DenialRecorder;
  /** Largest JSON body accepted; telemetry batches of 10,000 events need a few MB. */
  bodyLimit?: string;
  /** The stores `/ready` probes (each named, e.g. by region). */
  stores(): { name: string; db: DataSource }[];
  /** The service's metrics, when it adds its own series to them; created otherwise. */
  metrics?: ServiceMetrics;
  /** Bearer token `/metrics` requires; defaults to METRICS_TOKEN (unset: open, for a private network). */
  metricsToken?: string;
  /** The service's logger; created from the environment (LOG_FORMAT, LOG_LEVEL) when not given. */
  log?: ServiceLogger;
}

export interface SubgraphApp {
  app: express.Express;
  metrics: ServiceMetrics;
  log: ServiceLogger;
  stop(): Promise<void>;
}

function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "UNAUTHENTICATED", http: { status: 401 } } });
}

/**
 * Builds (but does not listen) a subgraph's HTTP app: `/graphql` for the gateway,
 * `/internal/*` for the personal-data contract, `/health` (liveness) and `/ready` (its stores
 * answer and are migrated) for probes. Every request to
 * `/graphql` or `/internal` must carry an internal identity signed by the gateway or
 * governance: a caller who reaches the port directly gets UNAUTHENTICATED and nothing else.
 */
export async function createSubgraphApp<C extends object>(options: SubgraphAppOptions<C>): Promise<SubgraphApp> {
  // Under a symbol on the context itself: Apollo hands plugins a copy of the context object.
  const CALLER = Symbol("caller");
  type WithCaller = Record<symbol, { viewer: Viewer; token: string } | undefined>;
  const metrics = options.metrics ?? new ServiceMetrics(options.name);
  const log = options.log ?? createLogger(options.name);
  const server = new ApolloServer<C>({
    schema: options.schema,
    formatError: createErrorFormatter(log),
    logger: apolloLogger(log),
    includeStacktraceInErrorResponses: false,
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      metricsPlugin<C>(metrics),
      tracingPlugin<C>(options.name),
      operationLogPlugin<C>(log),
      denialAudit<C>(log, (context) => (context as WithCaller)[CALLER], options.recordDenials),
    ],
  });
  await server.start();

  const tokens = VerifiedTokenCache.forInternalTokens(options.internalPublicKey, options.clock);
  const authenticate = async (req: Request): Promise<{ viewer: Viewer; token: string }> => {
    const token = req.header(INTERNAL_TOKEN_HEADER);
    if (!token) throw unauthenticated(`${options.name} accepts requests only through the gateway or governance`);
    try {
      return { viewer: await tokens.verify(token), token };
    } catch (error) {
      throw unauthenticated(error instanceof Error ? error.message : "internal identity rejected");
    }
  };

  const app = express();
  app.disable("x-powered-by");
  // No client caches these answers: an ETag would only cost a SHA-1 of every body (a 5,000-record export page is megabytes).
  app.disable("etag");
  app.use(requestIdMiddleware());
  app.get("/health", (_req, res) => {
    res.json({ service: options.name, status: "ok" });
  });
  app.get("/metrics", metricsHandler(metrics, options.metricsToken ?? process.env.METRICS_TOKEN));
  app.get("/ready", async (_req, res) => {
    const problems = await storeProblems(options.stores());
    res.status(problems.length === 0 ? 200 : 503).json({ service: options.name, status: problems.length === 0 ? "ready" : "unavailable", problems });
  });
  const json = express.json({ limit: options.bodyLimit ?? "16mb" });
  app.use(
    "/graphql",
    json,
    expressMiddleware(server, {
      context: async ({ req }) => {
        const { viewer, token } = await authenticate(req);
        try {
          const context = await options.context(viewer, token);
          (context as WithCaller)[CALLER] = { viewer, token };
          return context;
        } catch (error) {
          // A contract error while building the context (e.g. UNAVAILABLE while the tenant's
          // data moves) is answered as a normal GraphQL error, so the gateway passes its code on.
          if (error instanceof ServiceError) {
            throw new GraphQLError(error.message, { extensions: { ...error.extensions, http: { status: 200 } } });
          }
          throw error;
        }
      },
    }),
  );

  const router = express.Router();
  for (const route of options.internalRoutes ?? []) {
    router[route.method](route.path, json, async (req: Request, res: Response) => {
      let caller: { viewer: Viewer; token: string } | null = null;
      const started = performance.now();
      try {
        caller = await authenticate(req);
        const { viewer, token } = caller;
        if ((route.access ?? "service") === "service") assertServiceIdentity(viewer);
        const result = await route.handler({
          viewer,
          token,
          params: req.params as Record<string, string>,
          query: req.query as Record<string, string | undefined>,
          body: req.body,
        });
        if (result instanceof RawAnswer) res.status(200).set(result.headers).type(result.contentType).send(result.body);
        else res.json(result);
      } catch (error) {
        if (caller && error instanceof ForbiddenError) {
          await recordQuietly(log, options.recordDenials, caller, [denialOf(error, `internal ${route.method.toUpperCase()} ${route.path}`)]);
        }
        sendInternalError(log, res, error);
      } finally {
        // The route's pattern, not its path: paths carry user ids. At debug: the mover and workers poll some routes every second.
        log.debug({ route: `${route.method.toUpperCase()} ${route.path}`, status: res.statusCode, durationMs: durationMs((performance.now() - started) / 1000) }, "internal request");
      }
    });
  }
  app.use("/internal", router);
  app.use("/graphql", requestErrorHandler("graphql", log));
  app.use("/internal", requestErrorHandler("internal", log));

  return { app, metrics, log, stop: () => server.stop() };
}

function sendInternalError(log: ServiceLogger, res: Response, error: unknown): void {
  if (error instanceof ServiceError) {
    const retryAfterSeconds = error.extensions.retryAfterSeconds;
    res.status(error.httpStatus).json({ error: { code: error.code, message: error.message, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) } });
    return;
  }
  if (error instanceof GraphQLError && error.extensions.code === "UNAUTHENTICATED") {
    res.status(401).json({ error: { code: "UNAUTHENTICATED", message: error.message } });
    return;
  }
  // Logged under a reference the caller passes on, so the client's reference finds this line.
  const reference = randomUUID();
  log.error({ err: error, reference }, "internal error");
  res.status(500).json({ error: { code: "INTERNAL_SERVER_ERROR", message: `Internal server error (reference ${reference})`, reference } });
}

/** How long a service keeps an idle client connection open: far beyond its callers' 4 s. */
export const SERVER_KEEP_ALIVE_MS = 65_000;

/**
 * Listens on `port` (0 picks a free one) and returns the base URL and a closer. Express 5
 * calls the callback with the error when the port cannot be had (EADDRINUSE): that is a
 * rejection here, not an exception thrown inside the server's error event (which left the
 * promise pending for ever).
 */
export function listen(app: express.Express, port: number, host = "127.0.0.1"): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (error?: Error) => {
      if (error) {
        reject(error);
        return;
      }
      // Callers drop idle kept-alive sockets after 4 s (keep-alive-http.ts), but a caller whose
      // event loop was busy (SQLite runs synchronously) can send on one before its overdue
      // timer runs. With node's default of 5 s the server may have closed it meanwhile, and the
      // request meets a reset; with a timeout far beyond the callers' it is still open.
      server.keepAliveTimeout = SERVER_KEEP_ALIVE_MS;
      server.headersTimeout = SERVER_KEEP_ALIVE_MS + 1_000;
      const address = server.address() as AddressInfo;
      resolve({
        url: `http://${host}:${address.port}`,
        server,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
    server.on("error", reject);
  });
}
