/**
 * `/metrics` behind METRICS_TOKEN: without the bearer token, or with a wrong one, 401 and no
 * series; with it, the Prometheus text. Without a token configured it is open (a private
 * network's scraper). The outcome label is `ok` or the first error's code.
 */
import express from "express";
import { listen, metricsHandler, outcomeOf, ServiceMetrics } from "../src";

async function serve(token: string | undefined) {
  const metrics = new ServiceMetrics("probe");
  metrics.requestDuration.observe({ service: "probe", operation: "Ping", outcome: "ok" }, 0.01);
  const app = express();
  app.get("/metrics", metricsHandler(metrics, token));
  return listen(app, 0, "127.0.0.1");
}

describe("/metrics", () => {
  it("requires METRICS_TOKEN as a bearer token when it is set", async () => {
    const server = await serve("s3cret-token");
    try {
      for (const headers of [{} as Record<string, string>, { authorization: "Bearer wrong" }, { authorization: "s3cret-token" }, { authorization: "Bearer s3cret-token-longer" }]) {
        const refused = await fetch(`${server.url}/metrics`, { headers });
        expect(refused.status).toBe(401);
        const body = await refused.text();
        expect(body).not.toContain("dgg_graphql_request_duration_seconds");
        expect(JSON.parse(body).error.code).toBe("UNAUTHENTICATED");
      }
      const allowed = await fetch(`${server.url}/metrics`, { headers: { authorization: "Bearer s3cret-token" } });
      expect(allowed.status).toBe(200);
      const text = await allowed.text();
      expect(text).toMatch(/^dgg_graphql_request_duration_seconds_count\{.*operation="Ping".*outcome="ok".*\} 1$/m);
      expect(text).toMatch(/^process_cpu_user_seconds_total\{service="probe"\} /m);
    } finally {
      await server.close();
    }
  });

  it("is open when no token is configured", async () => {
    const server = await serve(undefined);
    try {
      expect((await fetch(`${server.url}/metrics`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it("labels outcomes ok or by the first error's code", () => {
    expect(outcomeOf(undefined)).toBe("ok");
    expect(outcomeOf([])).toBe("ok");
    expect(outcomeOf([{ extensions: { code: "FORBIDDEN" } }, { extensions: { code: "NOT_FOUND" } }])).toBe("FORBIDDEN");
    expect(outcomeOf([{}])).toBe("INTERNAL_SERVER_ERROR");
  });
});
