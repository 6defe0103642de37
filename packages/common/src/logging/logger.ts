import pino from "pino";
import type { DestinationStream, Logger, LoggerOptions } from "pino";
import { prettyFactory } from "pino-pretty";
import { logContextFields } from "./context";
import { safeError } from "./safe-error";

/** A service's logger (pino): one JSON line per event, each with `service` and `level`. */
export type ServiceLogger = Logger;
export type LogFormat = "json" | "pretty";
export type LogEnv = Readonly<Record<string, string | undefined>>;

const LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

/** LOG_FORMAT (json or pretty) when set; otherwise JSON in production (NODE_ENV=production), pretty elsewhere. */
export function logFormatOf(env: LogEnv): LogFormat {
  const format = env.LOG_FORMAT?.trim().toLowerCase();
  if (format === "json" || format === "pretty") return format;
  if (format) throw new Error(`LOG_FORMAT must be json or pretty, got ${JSON.stringify(env.LOG_FORMAT)}`);
  return env.NODE_ENV === "production" ? "json" : "pretty";
}

/** LOG_LEVEL (fatal, error, warn, info, debug, trace or silent); info when unset. */
export function logLevelOf(env: LogEnv): string {
  const level = env.LOG_LEVEL?.trim().toLowerCase() || "info";
  if (!LEVELS.includes(level)) throw new Error(`LOG_LEVEL must be one of ${LEVELS.join(", ")}, got ${JSON.stringify(env.LOG_LEVEL)}`);
  return level;
}

/**
 * pino takes the message from an error when none is given (`log.error(err)`): an error's
 * message may echo user input, so such a line gets a fixed message instead.
 */
function withFixedMessage(this: Logger, args: unknown[], method: (...args: unknown[]) => void): void {
  const [first, ...rest] = args;
  if (first instanceof Error) {
    method.apply(this, [{ err: first }, ...(rest.length > 0 ? rest : ["error"])]);
    return;
  }
  if (typeof first === "object" && first !== null && "err" in first && rest.length === 0) {
    method.apply(this, [first, "error"]);
    return;
  }
  method.apply(this, args);
}

/**
 * pino-pretty's function form, writing synchronously: nothing is lost when the process
 * exits, and no worker thread is started (docs/decisions/0049). One line per event, the
 * event's fields in JSON after the message.
 */
function prettyStream(destination: DestinationStream, colorize: boolean): DestinationStream {
  const prettify = prettyFactory({ colorize, translateTime: "SYS:HH:MM:ss.l", ignore: "service", singleLine: true });
  return { write: (line: string) => destination.write(prettify(line)) };
}

/**
 * The logger of one service (or tool): JSON lines or pretty lines on stdout (or
 * `destination`), as LOG_FORMAT / NODE_ENV and LOG_LEVEL of `env` say. Every line carries
 * `service` and `level`; a line written while a request is served adds its `requestId`
 * (and `traceId` when tracing is on). Errors are logged through `err`, which keeps their
 * class, code and stack frames but never their message (see safeError).
 *
 * @example
 * const log = createLogger("users", process.env);
 * log.info({ url }, "users subgraph ready");
 */
export function createLogger(service: string, env: LogEnv = process.env, destination?: DestinationStream): ServiceLogger {
  const format = logFormatOf(env);
  const options: LoggerOptions = {
    level: logLevelOf(env),
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin: logContextFields,
    serializers: { err: safeError, error: safeError },
    hooks: { logMethod: withFixedMessage },
    ...(format === "json" ? { formatters: { level: (label: string) => ({ level: label }) } } : {}),
  };
  const out = destination ?? pino.destination({ dest: 1, sync: true });
  return pino(options, format === "json" ? out : prettyStream(out, destination === undefined && process.stdout.isTTY === true));
}
