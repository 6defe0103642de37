import type { ApolloServerPlugin } from "@apollo/server";
import { observeOperations } from "../metrics";
import type { ServiceLogger } from "./logger";

/** Milliseconds to a tenth. */
export function durationMs(seconds: number): number {
  return Math.round(seconds * 10_000) / 10;
}

/**
 * Apollo plugin: one line per GraphQL operation, "graphql operation" with `operation` (its
 * name or anonymous, never its variables), `durationMs` and `outcome` (ok, or the first
 * error's code); `requestId` and `traceId` come from the request's log context.
 */
export function operationLogPlugin<C extends object>(log: ServiceLogger): ApolloServerPlugin<C> {
  return observeOperations<C>(({ operation, outcome, seconds }) => log.info({ operation, durationMs: durationMs(seconds), outcome }, "graphql operation"));
}

/** The logger shape Apollo Server and the gateway take. */
export interface ApolloLogger {
  debug(message?: unknown): void;
  info(message?: unknown): void;
  warn(message?: unknown): void;
  error(message?: unknown): void;
}

/** What Apollo Server and the gateway log (start-up warnings, unexpected failures) goes through the service's logger. */
export function apolloLogger(log: ServiceLogger): ApolloLogger {
  const apollo = log.child({ component: "apollo" });
  const at = (level: "debug" | "info" | "warn" | "error") => (message?: unknown) => {
    if (message instanceof Error) apollo[level]({ err: message }, "apollo error");
    else apollo[level](String(message));
  };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}
