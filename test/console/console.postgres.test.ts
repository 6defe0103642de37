// Scenario: the privacy console in headless Chromium against the whole system, on PostgreSQL.
// Runs unless DGG_TEST_POSTGRES=off is set locally; in CI an unreachable server fails the build.
import { postgresDisabled } from "../support/postgres";
import { describeConsoleSuite } from "./console-suite";

if (postgresDisabled) {
  test("PostgreSQL console suite was opted out with DGG_TEST_POSTGRES=off", () => {
    expect(process.env.DGG_TEST_POSTGRES).toBe("off");
  });
} else {
  describeConsoleSuite("postgres");
}
