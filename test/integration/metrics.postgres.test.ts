// Scenario: Prometheus metrics of every service after a privacy scenario, on PostgreSQL.
// Runs unless DGG_TEST_POSTGRES=off is set locally; in CI an unreachable server fails the build.
import { postgresDisabled } from "../support/postgres";
import { describeMetricsSuite } from "./metrics-suite";

if (postgresDisabled) {
  test("PostgreSQL metrics suite was opted out with DGG_TEST_POSTGRES=off", () => {
    expect(process.env.DGG_TEST_POSTGRES).toBe("off");
  });
} else {
  describeMetricsSuite("postgres");
}
