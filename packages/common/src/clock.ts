/** Where "now" comes from. Injected everywhere so tests (and the demo) can move time. */
export interface Clock {
  now(): Date;
}

const DURATION = /^(-)?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/**
 * Parses an ISO-8601 duration such as `P31D`, `PT1H30M` or `-P1D` into milliseconds.
 * Years and months count as 365 and 30 days: the offset moves a test clock, it is not a calendar.
 */
export function parseIsoDuration(text: string): number {
  const match = DURATION.exec(text.trim());
  if (!match || text.trim() === "P" || text.trim().endsWith("T")) {
    throw new Error(`not an ISO-8601 duration: ${JSON.stringify(text)} (expected e.g. P31D or PT2H)`);
  }
  const [, minus, y, mo, w, d, h, mi, s] = match;
  const n = (v: string | undefined) => (v ? Number(v) : 0);
  const days = n(y) * 365 + n(mo) * 30 + n(w) * 7 + n(d);
  const ms = ((days * 24 + n(h)) * 60 + n(mi)) * 60_000 + n(s) * 1000;
  return minus ? -ms : ms;
}

/** The wall clock, optionally shifted by a fixed offset. */
export function systemClock(offsetMs = 0): Clock {
  return { now: () => new Date(Date.now() + offsetMs) };
}

/** A clock fixed at a moment that tests can advance. */
export class ManualClock implements Clock {
  private current: number;
  constructor(start: Date) {
    this.current = start.getTime();
  }
  now(): Date {
    return new Date(this.current);
  }
  set(moment: Date): void {
    this.current = moment.getTime();
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

/**
 * The clock a service runs on, from `GOVERNANCE_CLOCK_OFFSET`. Production refuses the
 * variable: a moved clock there would purge data early.
 */
export function clockFromEnv(env: NodeJS.ProcessEnv = process.env): Clock {
  const offset = env.GOVERNANCE_CLOCK_OFFSET;
  if (!offset) return systemClock();
  if (env.NODE_ENV === "production") {
    throw new Error("GOVERNANCE_CLOCK_OFFSET is refused when NODE_ENV=production");
  }
  return systemClock(parseIsoDuration(offset));
}

export const DAY_MS = 24 * 60 * 60 * 1000;
