import { timingSafeEqual } from "node:crypto";
import type { ApolloServerPlugin } from "@apollo/server";
import type { Request, Response } from "express";
import { collectDefaultMetrics, Histogram, Registry } from "prom-client";

/**
 * One service's Prometheus metrics: its own registry (never prom-client's global one, so two
 * services in one process, as in the tests, keep apart), prom-client's process metrics, and
 * the GraphQL request histogram every service shares. Dashboards are built on these names:
 * keep them stable (README: Operating it).
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly requestDuration: Histogram<"service" | "operation" | "outcome">;

  constructor(readonly service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
    this.requestDuration = new Histogram({
      name: "dgg_graphql_request_duration_seconds",
      help: "GraphQL operations served, by operation name (or anonymous) and outcome (ok, or the first error's code).",
      labelNames: ["service", "operation", "outcome"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
  }
}

/** The outcome label of a response: `ok`, or the first error's code (INTERNAL_SERVER_ERROR when it has none). */
export function outcomeOf(errors: readonly { extensions?: Record<string, unknown> }[] | undefined): string {
  if (!errors || errors.length === 0) return "ok";
  const code = errors[0]!.extensions?.code;
  return typeof code === "string" ? code : "INTERNAL_SERVER_ERROR";
}

/** One GraphQL operation as served: its name (or anonymous), outcome (see outcomeOf) and duration. */
export interface ServedOperation {
  operation: string;
  outcome: string;
  seconds: number;
}

/** Apollo plugin: tells `served` about every GraphQL operation when its response leaves (metrics and the request log). */
export function observeOperations<C extends object>(served: (operation: ServedOperation) => void): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      let operation = "anonymous";
      return {
        async didResolveOperation({ operationName }) {
          if (operationName) operation = operationName;
        },
        async willSendResponse({ response }) {
          const errors = response.body.kind === "single" ? response.body.singleResult.errors : undefined;
          served({ operation, outcome: outcomeOf(errors), seconds: Number(process.hrtime.bigint() - started) / 1e9 });
        },
      };
    },
  };
}

/** Times every GraphQL operation into `dgg_graphql_request_duration_seconds`. */
export function metricsPlugin<C extends object>(metrics: ServiceMetrics): ApolloServerPlugin<C> {
  return observeOperations<C>(({ operation, outcome, seconds }) => metrics.requestDuration.observe({ service: metrics.service, operation, outcome }, seconds));
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * `GET /metrics` in the Prometheus text format. With `token` (METRICS_TOKEN in production),
 * the scraper must send it as a bearer token; anything else is 401 and reveals nothing.
 */
export function metricsHandler(metrics: ServiceMetrics, token: string | undefined) {
  return async (req: Request, res: Response): Promise<void> => {
    if (token) {
      const header = req.header("authorization") ?? "";
      const given = header.startsWith("Bearer ") ? header.slice("Bearer ".length) : "";
      if (!sameToken(given, token)) {
        res.status(401).setHeader("www-authenticate", "Bearer").json({ error: { code: "UNAUTHENTICATED", message: "/metrics requires the METRICS_TOKEN bearer token" } });
        return;
      }
    }
    res.setHeader("content-type", metrics.registry.contentType);
    res.end(await metrics.registry.metrics());
  };
}
