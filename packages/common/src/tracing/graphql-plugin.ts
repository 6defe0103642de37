import type { ApolloServerPlugin } from "@apollo/server";
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { outcomeOf } from "../metrics";
import { insideRecordedSpan, tracer } from "./spans";

/**
 * One span per GraphQL operation a subgraph serves, named `<type> <operation name>`, as a
 * child of the incoming HTTP request's span (whose parent came in as `traceparent` from the
 * gateway or governance). Carries the outcome (ok or the first error's code), never the
 * variables or the document's values.
 */
export function tracingPlugin<C extends object>(service: string): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      if (!insideRecordedSpan()) return;
      const span = tracer().startSpan("graphql operation", { kind: SpanKind.INTERNAL, attributes: { "dgg.service": service } });
      return {
        async didResolveOperation({ operationName, operation }) {
          const name = operationName ?? "anonymous";
          const type = operation?.operation ?? "query";
          span.updateName(`${type} ${name}`);
          span.setAttributes({ "graphql.operation.name": name, "graphql.operation.type": type });
        },
        async willSendResponse({ response }) {
          const outcome = outcomeOf(response.body.kind === "single" ? response.body.singleResult.errors : undefined);
          span.setAttribute("dgg.outcome", outcome);
          if (outcome !== "ok") span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
          span.end();
        },
      };
    },
  };
}
