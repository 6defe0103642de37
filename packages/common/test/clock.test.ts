// Scenario: a developer moves every service's clock with GOVERNANCE_CLOCK_OFFSET to try
// retention; production refuses the variable so data can never be purged early there.
import { clockFromEnv, DAY_MS, parseIsoDuration } from "../src/clock";

describe("GOVERNANCE_CLOCK_OFFSET", () => {
  it("moves the clock by the ISO-8601 duration outside production", () => {
    const before = Date.now();
    const moved = clockFromEnv({ GOVERNANCE_CLOCK_OFFSET: "P31D", NODE_ENV: "development" }).now().getTime();
    expect(moved - before).toBeGreaterThanOrEqual(31 * DAY_MS);
    expect(moved - Date.now()).toBeLessThanOrEqual(31 * DAY_MS);
  });

  it("is refused when NODE_ENV=production, naming the variable", () => {
    expect(() => clockFromEnv({ GOVERNANCE_CLOCK_OFFSET: "P31D", NODE_ENV: "production" })).toThrow(/GOVERNANCE_CLOCK_OFFSET.*production/);
  });

  it("leaves the clock alone without the variable, in production too", () => {
    const now = clockFromEnv({ NODE_ENV: "production" }).now().getTime();
    expect(Math.abs(now - Date.now())).toBeLessThan(1000);
  });

  it("parses days, hours, seconds and negative offsets; refuses what is not a duration", () => {
    expect(parseIsoDuration("PT1H30M")).toBe(90 * 60_000);
    expect(parseIsoDuration("-P1D")).toBe(-DAY_MS);
    expect(parseIsoDuration("P30DT1S")).toBe(30 * DAY_MS + 1000);
    expect(() => clockFromEnv({ GOVERNANCE_CLOCK_OFFSET: "31 days" })).toThrow(/"31 days"/);
  });
});
