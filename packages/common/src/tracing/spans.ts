import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { Attributes, Context, Span } from "@opentelemetry/api";

/**
 * The project's own spans (docs/decisions/0048). Through @opentelemetry/api only: when no
 * tracer provider is registered (tracing off, the default) every call here is a no-op on a
 * non-recording span, and no SDK is loaded.
 */
const TRACER_NAME = "dgg";

export function tracer() {
  return trace.getTracer(TRACER_NAME);
}

/** The W3C `traceparent` of the active span, to store with work another process picks up later; null when not tracing. */
export function currentTraceparent(): string | null {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ?? null;
}

/** The context a stored `traceparent` continues (the root context when there is none). */
export function contextOfTraceparent(traceparent: string | null | undefined): Context {
  if (!traceparent) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, { traceparent });
}

export interface SpanOptions {
  attributes?: Attributes;
  /** Continue this context instead of the active one (a stored traceparent). */
  parent?: Context;
  kind?: SpanKind;
}

/**
 * Runs `work` inside a span, active for everything it awaits (so database queries and
 * outgoing calls become its children), ending it with the outcome. An error is recorded by
 * its class and code, never its message: messages may name what the request was about.
 */
export async function withSpan<T>(name: string, options: SpanOptions, work: (span: Span) => Promise<T>): Promise<T> {
  const parent = options.parent ?? context.active();
  return tracer().startActiveSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes }, parent, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      markFailed(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Marks a span failed with the error's class and code (never its message, which may hold personal data). */
export function markFailed(span: Span, error: unknown): void {
  const code = (error as { extensions?: { code?: unknown }; code?: unknown } | null)?.extensions?.code ?? (error as { code?: unknown } | null)?.code;
  span.setStatus({ code: SpanStatusCode.ERROR, message: typeof code === "string" ? code : error instanceof Error ? error.name : "error" });
  span.setAttribute("error.type", typeof code === "string" ? code : error instanceof Error ? error.name : "error");
}

/** Whether a span started now would be recorded: only inside a traced request or job, so background polling makes no traces of its own. */
export function insideRecordedSpan(): boolean {
  return trace.getActiveSpan()?.isRecording() ?? false;
}
