import type { ClientRequest, IncomingMessage } from "node:http";
import type { Span } from "@opentelemetry/api";
import { registerInstrumentations } from "@opentelemetry/instrumentation";
import { HttpInstrumentation } from "@opentelemetry/instrumentation-http";
import { PgInstrumentation } from "@opentelemetry/instrumentation-pg";
import { UndiciInstrumentation } from "@opentelemetry/instrumentation-undici";
import { OTLPTraceExporter as OTLPJsonTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as OTLPProtobufTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { SpanExporter } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";
import type { TracingConfig } from "./config";

/** Probes and scrapes are not traced: they would bury the requests in traces of their own. */
const UNTRACED_PATHS = /^\/(health|ready|metrics)(\/|\?|$)/;

/**
 * What a span may say of a URL: no query string, and no download link. A link is a signed
 * token whose payload names the identity it was issued to, and it sits in the path
 * (`/exports/<link>`, `/downloads/<link>`).
 */
export function redactedUrl(url: string): string {
  const at = url.indexOf("?");
  const withoutQuery = at === -1 ? url : url.slice(0, at);
  return withoutQuery.replace(/\/(exports|downloads)\/[^/]+/, "/$1/:link");
}

/** Overwrites every attribute either semantic-conventions version records the URL or path under. */
function redactUrlAttributes(span: Span, path: string, origin: string): void {
  const redacted = redactedUrl(path);
  span.setAttribute("http.target", redacted);
  span.setAttribute("url.path", redacted);
  span.setAttribute("http.url", `${origin}${redacted}`);
  span.setAttribute("url.full", `${origin}${redacted}`);
}

/** The path and origin of an incoming request (IncomingMessage) or an outgoing one (ClientRequest). */
function partsOf(request: IncomingMessage | ClientRequest): { path: string; origin: string } {
  // By shape: importing node:http's classes here would load it before it is instrumented.
  if ("path" in request) return { path: request.path, origin: `${request.protocol}//${request.host}` };
  return { path: request.url ?? "/", origin: `http://${request.headers.host ?? "unknown"}` };
}

export interface Tracing {
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry SDK for this process: a batch exporter over OTLP/HTTP, W3C trace
 * context propagation, and instrumentation of incoming and outgoing HTTP (node:http, which
 * the gateway's subgraph fetcher uses, and fetch, which governance's internal calls use) and
 * of the pg driver. Must run before those modules are loaded (register.ts, loaded with
 * `--require`). SQLite statements and the project's own steps are spanned through
 * @opentelemetry/api (spans.ts), which needs no instrumentation.
 */
export function startTracing(config: TracingConfig): Tracing {
  const exporter: SpanExporter = config.protocol === "http/json" ? new OTLPJsonTraceExporter() : new OTLPProtobufTraceExporter();
  const resource = defaultResource()
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.serviceName }))
    .merge(detectResources({ detectors: [envDetector] }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(exporter)] });
  provider.register();
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request: IncomingMessage) => UNTRACED_PATHS.test(request.url ?? ""),
        // Background loops (retention checks, webhook polls) open their own span when they do work.
        requireParentforOutgoingSpans: true,
        requestHook: (span, request) => {
          const { path, origin } = partsOf(request);
          redactUrlAttributes(span, path, origin);
        },
      }),
      new UndiciInstrumentation({ requireParentforSpans: true, requestHook: (span, request) => redactUrlAttributes(span, request.path, request.origin) }),
      new PgInstrumentation({ requireParentSpan: true }),
    ],
  });
  return { shutdown: () => provider.shutdown() };
}
