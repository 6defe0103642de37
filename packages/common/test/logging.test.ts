/**
 * createLogger: one JSON line per event with `service` and `level` (LOG_FORMAT=json, or by
 * default with NODE_ENV=production), pretty lines otherwise, LOG_LEVEL as the threshold; a
 * request's id (and a valid trace's id) on every line written while it is served; errors
 * logged by class, code and frames, never by message; x-request-id taken, echoed, made up.
 */
import { context, ROOT_CONTEXT, trace } from "@opentelemetry/api";
import type { Context, ContextManager } from "@opentelemetry/api";
import express from "express";
import { GraphQLError } from "graphql";
import { createErrorFormatter, createLogger, listen, logFormatOf, logLevelOf, REQUEST_ID_HEADER, requestIdFrom, requestIdMiddleware, runWithRequestId, safeError } from "../src";
import type { LogEnv } from "../src";

/** A logger writing into an array of lines. */
function captured(service: string, env: LogEnv) {
  const lines: string[] = [];
  const log = createLogger(service, env, { write: (chunk: string) => lines.push(...chunk.split("\n").filter(Boolean)) });
  return { log, lines, json: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe("createLogger", () => {
  it("writes one JSON line per event with service, level, time and message under LOG_FORMAT=json", () => {
    const { log, lines, json } = captured("users", { LOG_FORMAT: "json" });
    log.info({ operation: "CreateUser", durationMs: 3.5, outcome: "ok" }, "graphql operation");
    log.warn("second event");
    expect(lines).toHaveLength(2);
    const [first, second] = json();
    expect(first).toMatchObject({ service: "users", level: "info", msg: "graphql operation", operation: "CreateUser", durationMs: 3.5, outcome: "ok" });
    expect(Number.isNaN(Date.parse(first!.time as string))).toBe(false);
    expect(second).toMatchObject({ service: "users", level: "warn", msg: "second event" });
  });

  it("is JSON by default in production and pretty in development; LOG_FORMAT wins either way", () => {
    expect(logFormatOf({ NODE_ENV: "production" })).toBe("json");
    expect(logFormatOf({})).toBe("pretty");
    expect(logFormatOf({ NODE_ENV: "development" })).toBe("pretty");
    expect(logFormatOf({ NODE_ENV: "production", LOG_FORMAT: "pretty" })).toBe("pretty");
    expect(logFormatOf({ LOG_FORMAT: "JSON" })).toBe("json");
    expect(logFormatOf({ LOG_FORMAT: "" })).toBe("pretty");
    expect(() => logFormatOf({ LOG_FORMAT: "xml" })).toThrow(/LOG_FORMAT must be json or pretty/);

    const production = captured("gateway", { NODE_ENV: "production" });
    production.log.info("ready");
    expect(production.json()).toEqual([expect.objectContaining({ service: "gateway", level: "info", msg: "ready" })]);

    const pretty = captured("gateway", { NODE_ENV: "production", LOG_FORMAT: "pretty" });
    pretty.log.info({ operation: "Peek" }, "graphql operation");
    expect(pretty.lines).toHaveLength(1);
    expect(() => JSON.parse(pretty.lines[0]!)).toThrow();
    expect(pretty.lines[0]).toMatch(/INFO.*graphql operation.*"operation":"Peek"/);
  });

  it("logs at LOG_LEVEL and above (info by default, silent for nothing)", () => {
    expect(logLevelOf({})).toBe("info");
    expect(() => logLevelOf({ LOG_LEVEL: "loud" })).toThrow(/LOG_LEVEL must be one of/);
    const info = captured("audit", { LOG_FORMAT: "json" });
    info.log.debug("hidden");
    info.log.info("shown");
    expect(info.json().map((line) => line.msg)).toEqual(["shown"]);
    const debug = captured("audit", { LOG_FORMAT: "json", LOG_LEVEL: "debug" });
    debug.log.debug("shown too");
    expect(debug.json()).toEqual([expect.objectContaining({ level: "debug", msg: "shown too" })]);
    const silent = captured("audit", { LOG_FORMAT: "json", LOG_LEVEL: "silent" });
    silent.log.fatal("nothing");
    expect(silent.lines).toEqual([]);
  });

  it("never writes an error's message: class, code and frames only, and a fixed message when none is given", () => {
    const { log, lines, json } = captured("governance", { LOG_FORMAT: "json" });
    const echoing = Object.assign(new Error('duplicate key (email)=(ada@example.eu) for "Ada Lovelace"'), { code: "23505" });
    log.error(echoing);
    log.error({ err: echoing });
    log.error({ err: echoing, reference: "ref-1" }, "internal error");
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(line).not.toContain("ada@example.eu");
      expect(line).not.toContain("Ada Lovelace");
    }
    const [bare, object, named] = json();
    expect(bare).toMatchObject({ msg: "error", err: { type: "Error", code: "23505" } });
    expect(object).toMatchObject({ msg: "error", err: { type: "Error", code: "23505" } });
    expect(named).toMatchObject({ msg: "internal error", reference: "ref-1" });
    expect((named!.err as { frames: string[] }).frames[0]).toMatch(/^at .*logging\.test\.ts/);
    // The control: the same scan finds a value that is in the line.
    expect(lines[2]).toContain("ref-1");
  });

  it("logs an internal error under the reference its client gets, without the error's message", () => {
    const { log, lines, json } = captured("users", { LOG_FORMAT: "json" });
    const driverError = Object.assign(new Error('insert into user_account failed: value "grace@example.eu" too long'), { code: "22001" });
    const answer = createErrorFormatter(log)({ message: driverError.message, path: ["createUser"] }, new GraphQLError(driverError.message, { originalError: driverError, path: ["createUser"] }));
    const reference = answer.extensions?.reference as string;
    expect(answer.message).toBe(`Internal server error (reference ${reference})`);
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain("grace@example.eu");
    expect(json()[0]).toMatchObject({ level: "error", msg: "internal error", reference, path: ["createUser"], err: { type: "Error", code: "22001" } });
  });

  it("keeps only codes that look like codes", () => {
    expect(safeError(Object.assign(new Error("x"), { code: "not a code: bob@example.eu" }))).toEqual({ type: "Error", frames: expect.any(Array) });
    expect(safeError("a thrown string with bob@example.eu")).toEqual({ type: "string" });
    class ContractError extends Error {
      extensions = { code: "NOT_FOUND" };
    }
    expect(safeError(new ContractError("user bob@example.eu"))).toMatchObject({ type: "ContractError", code: "NOT_FOUND" });
  });
});

describe("request context", () => {
  it("adds the request's id to every line written while it is served, and nothing outside", async () => {
    const { log, json } = captured("users", { LOG_FORMAT: "json" });
    await runWithRequestId("req-42", async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      log.info("inside");
    });
    log.info("outside");
    const [inside, outside] = json();
    expect(inside).toMatchObject({ msg: "inside", requestId: "req-42" });
    expect(outside).not.toHaveProperty("requestId");
    expect(inside).not.toHaveProperty("traceId");
  });

  it("adds traceId only for a valid span context", () => {
    // A minimal synchronous context manager: the API alone, no tracing SDK.
    let active: Context = ROOT_CONTEXT;
    const manager: ContextManager = {
      active: () => active,
      with(ctx, fn, thisArg, ...args) {
        const previous = active;
        active = ctx;
        try {
          return fn.call(thisArg, ...args);
        } finally {
          active = previous;
        }
      },
      bind: (_ctx, target) => target,
      enable() {
        return this;
      },
      disable() {
        return this;
      },
    };
    context.setGlobalContextManager(manager);
    try {
      const { log, json } = captured("gateway", { LOG_FORMAT: "json" });
      const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
      const valid = trace.wrapSpanContext({ traceId, spanId: "00f067aa0ba902b7", traceFlags: 1 });
      const invalid = trace.wrapSpanContext({ traceId: "0".repeat(32), spanId: "0".repeat(16), traceFlags: 0 });
      context.with(trace.setSpan(ROOT_CONTEXT, valid), () => log.info("traced"));
      context.with(trace.setSpan(ROOT_CONTEXT, invalid), () => log.info("invalid span"));
      log.info("no span");
      const [traced, invalidLine, none] = json();
      expect(traced).toMatchObject({ msg: "traced", traceId });
      expect(invalidLine).not.toHaveProperty("traceId");
      expect(none).not.toHaveProperty("traceId");
    } finally {
      context.disable();
    }
  });

  it("takes an acceptable x-request-id, makes one up otherwise, and echoes it on every route", async () => {
    expect(requestIdFrom("4f1c2a9e-client.id:7")).toBe("4f1c2a9e-client.id:7");
    for (const unacceptable of ["ada@example.eu", "Ada Lovelace", "", "x".repeat(129), undefined]) {
      expect(requestIdFrom(unacceptable)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
    const { log, json } = captured("probe", { LOG_FORMAT: "json" });
    const app = express();
    app.use(requestIdMiddleware());
    app.post("/echo", express.json(), (_req, res) => {
      log.info("served");
      res.json({ ok: true });
    });
    const server = await listen(app, 0, "127.0.0.1");
    try {
      const given = await fetch(`${server.url}/echo`, { method: "POST", headers: { [REQUEST_ID_HEADER]: "client-id-1", "content-type": "application/json" }, body: "{}" });
      expect(given.headers.get(REQUEST_ID_HEADER)).toBe("client-id-1");
      const refused = await fetch(`${server.url}/echo`, { method: "POST", headers: { [REQUEST_ID_HEADER]: "ada@example.eu", "content-type": "application/json" }, body: "{}" });
      const madeUp = refused.headers.get(REQUEST_ID_HEADER);
      expect(madeUp).toMatch(/^[0-9a-f-]{36}$/);
      const unknown = await fetch(`${server.url}/nowhere`);
      expect(unknown.status).toBe(404);
      expect(unknown.headers.get(REQUEST_ID_HEADER)).toMatch(/^[0-9a-f-]{36}$/);
      // After the body parser too, the line carries the request's id.
      expect(json().map((line) => line.requestId)).toEqual(["client-id-1", madeUp]);
    } finally {
      await server.close();
    }
  });
});
