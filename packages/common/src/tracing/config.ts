export type OtlpProtocol = "http/json" | "http/protobuf";

export interface TracingConfig {
  protocol: OtlpProtocol;
  /** The process's service name: OTEL_SERVICE_NAME, else the one the start script gave it. */
  serviceName: string;
}

/**
 * Tracing is on only when an OTLP endpoint is configured through the standard variables
 * (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT), and not disabled with
 * OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none. The exporters read the endpoint,
 * headers and timeouts from the same variables themselves.
 */
export function tracingConfigFromEnv(env: NodeJS.ProcessEnv): TracingConfig | null {
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint || env.OTEL_SDK_DISABLED === "true" || env.OTEL_TRACES_EXPORTER === "none") return null;
  // The specification's default is http/protobuf.
  const protocol = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL || "http/protobuf";
  if (protocol !== "http/json" && protocol !== "http/protobuf") {
    throw new Error(`OTEL_EXPORTER_OTLP_PROTOCOL=${protocol} is not supported: use http/protobuf or http/json`);
  }
  return { protocol, serviceName: env.OTEL_SERVICE_NAME || env.DGG_SERVICE_NAME || "dgg" };
}
