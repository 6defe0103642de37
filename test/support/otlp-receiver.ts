/**
 * A minimal OTLP/HTTP trace receiver for tests, standing in for an OpenTelemetry collector:
 * it accepts `POST /v1/traces` in both encodings the services can send (http/json and
 * http/protobuf) and keeps every span with the service that sent it.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { parse } from "protobufjs";

export interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  attributes: Record<string, string | number | boolean>;
}

export interface OtlpReceiver {
  /** Base URL for OTEL_EXPORTER_OTLP_ENDPOINT (the exporters append /v1/traces). */
  url: string;
  spans: ReceivedSpan[];
  /** The content types the exports arrived with. */
  contentTypes: Set<string>;
  close(): Promise<void>;
}

// The part of opentelemetry-proto's trace service the tests read (field numbers as published).
const PROTO = `
syntax = "proto3";
message AnyValue { oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4; } }
message KeyValue { string key = 1; AnyValue value = 2; }
message Resource { repeated KeyValue attributes = 1; }
message Span { bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; string name = 5; repeated KeyValue attributes = 9; }
message ScopeSpans { repeated Span spans = 2; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
`;
const ExportRequest = parse(PROTO, { keepCase: false }).root.lookupType("ExportTraceServiceRequest");

interface JsonValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
}
interface JsonKeyValue {
  key: string;
  value?: JsonValue;
}
interface JsonSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes?: JsonKeyValue[];
}
interface JsonExport {
  resourceSpans?: { resource?: { attributes?: JsonKeyValue[] }; scopeSpans?: { spans?: JsonSpan[] }[] }[];
}

function valueOf(value: JsonValue | undefined): string | number | boolean {
  if (!value) return "";
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  return value.doubleValue ?? "";
}

function attributesOf(list: JsonKeyValue[] | undefined): Record<string, string | number | boolean> {
  return Object.fromEntries((list ?? []).map((entry) => [entry.key, valueOf(entry.value)]));
}

/** Both encodings as one shape: protobuf's bytes become the lower-case hex JSON uses. */
function fromProtobuf(body: Buffer): JsonExport {
  const hex = (bytes: Uint8Array | undefined) => Buffer.from(bytes ?? []).toString("hex");
  const decoded = ExportRequest.toObject(ExportRequest.decode(body), { longs: Number, defaults: false, bytes: Array }) as {
    resourceSpans?: { resource?: { attributes?: JsonKeyValue[] }; scopeSpans?: { spans?: (Omit<JsonSpan, "traceId" | "spanId" | "parentSpanId"> & { traceId: number[]; spanId: number[]; parentSpanId?: number[] })[] }[] }[];
  };
  return {
    resourceSpans: (decoded.resourceSpans ?? []).map((resourceSpans) => ({
      resource: resourceSpans.resource,
      scopeSpans: (resourceSpans.scopeSpans ?? []).map((scope) => ({
        spans: (scope.spans ?? []).map((span) => ({
          ...span,
          traceId: hex(Uint8Array.from(span.traceId)),
          spanId: hex(Uint8Array.from(span.spanId)),
          parentSpanId: span.parentSpanId ? hex(Uint8Array.from(span.parentSpanId)) : "",
        })),
      })),
    })),
  };
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const contentTypes = new Set<string>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      if (req.method !== "POST" || req.url !== "/v1/traces") {
        res.writeHead(404).end();
        return;
      }
      const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim();
      contentTypes.add(type);
      const body = Buffer.concat(chunks);
      const payload = type === "application/x-protobuf" ? fromProtobuf(body) : (JSON.parse(body.toString("utf8")) as JsonExport);
      for (const resourceSpans of payload.resourceSpans ?? []) {
        const service = String(attributesOf(resourceSpans.resource?.attributes)["service.name"] ?? "");
        for (const scope of resourceSpans.scopeSpans ?? []) {
          for (const span of scope.spans ?? []) {
            spans.push({ service, traceId: span.traceId, spanId: span.spanId, parentSpanId: span.parentSpanId ?? "", name: span.name, attributes: attributesOf(span.attributes) });
          }
        }
      }
      res.writeHead(200, { "content-type": type || "application/json" }).end(type === "application/x-protobuf" ? Buffer.alloc(0) : "{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    contentTypes,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
