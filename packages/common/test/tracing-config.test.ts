import { tracingConfigFromEnv } from "../src/tracing/config";
import { redactedUrl } from "../src/tracing/sdk";

describe("tracing configuration from the standard OpenTelemetry variables", () => {
  it("is off unless an OTLP endpoint is set, and when the SDK or the trace exporter is disabled", () => {
    expect(tracingConfigFromEnv({})).toBeNull();
    expect(tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: "" })).toBeNull();
    expect(tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318", OTEL_SDK_DISABLED: "true" })).toBeNull();
    expect(tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318", OTEL_TRACES_EXPORTER: "none" })).toBeNull();
  });

  it("defaults to http/protobuf, as the specification does, and takes the traces-specific variables first", () => {
    expect(tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" })?.protocol).toBe("http/protobuf");
    expect(tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://collector:4318/v1/traces", OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" })?.protocol).toBe("http/json");
    expect(tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318", OTEL_EXPORTER_OTLP_PROTOCOL: "http/json", OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/protobuf" })?.protocol).toBe("http/protobuf");
  });

  it("refuses a protocol it cannot speak, naming the variable and the ones it can", () => {
    expect(() => tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4317", OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" })).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported: use http\/protobuf or http\/json/);
  });

  it("names the process OTEL_SERVICE_NAME, else the service the start script launched", () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318" };
    expect(tracingConfigFromEnv({ ...endpoint, DGG_SERVICE_NAME: "users" })?.serviceName).toBe("users");
    expect(tracingConfigFromEnv({ ...endpoint, DGG_SERVICE_NAME: "users", OTEL_SERVICE_NAME: "users-eu-1" })?.serviceName).toBe("users-eu-1");
    expect(tracingConfigFromEnv(endpoint)?.serviceName).toBe("dgg");
  });
});

describe("URLs in spans", () => {
  it("keeps the path, drops the query string and replaces download links", () => {
    expect(redactedUrl("/internal/personal-data/u-1?first=10")).toBe("/internal/personal-data/u-1");
    expect(redactedUrl("/exports/eyJhbGciOi.eyJzdWIiOiJhZGFAZXhhbXBsZS5ldSJ9.sig/telemetry.ndjson")).toBe("/exports/:link/telemetry.ndjson");
    expect(redactedUrl("/downloads/eyJ.abc.def?format=zip")).toBe("/downloads/:link");
    expect(redactedUrl("/graphql")).toBe("/graphql");
  });
});
