/** An error as a log line holds it: what it is and where it was raised, never its message. */
export interface LoggedError {
  type: string;
  code?: string | number;
  frames?: string[];
}

const CODE = /^[A-Za-z0-9_.-]{1,64}$/;
const MAX_FRAMES = 12;

function codeOf(error: Error): string | number | undefined {
  const own = (error as { code?: unknown }).code;
  const code = own ?? (error as { extensions?: { code?: unknown } }).extensions?.code;
  if (typeof code === "number") return code;
  return typeof code === "string" && CODE.test(code) ? code : undefined;
}

/**
 * pino's serializer of `err`: the error's class, its code (a driver's SQLSTATE, a contract
 * code, ECONNREFUSED...) and its stack frames. The message is left out: a validation error,
 * a driver error or a remote service's answer may echo user input (a name, an email).
 * Operators correlate with the `reference` the client was given, logged beside it.
 */
export function safeError(error: unknown): LoggedError {
  if (!(error instanceof Error)) return { type: typeof error };
  const code = codeOf(error);
  const frames = (error.stack ?? "")
    .split("\n")
    .filter((line) => /^\s+at /.test(line))
    .slice(0, MAX_FRAMES)
    .map((line) => line.trim());
  return {
    type: error.constructor?.name || "Error",
    ...(code === undefined ? {} : { code }),
    ...(frames.length > 0 ? { frames } : {}),
  };
}
