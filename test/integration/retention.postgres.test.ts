// Scenario: the seed's three clocks, a legal hold and two replicas, on PostgreSQL (partitioned telemetry).
// Runs unless DGG_TEST_POSTGRES=off is set locally; in CI an unreachable server fails the build.
import { postgresDisabled } from "../support/postgres";
import { describeRetention } from "./retention-suite";

if (postgresDisabled) {
  console.warn("\n*** PostgreSQL retention suite DISABLED by DGG_TEST_POSTGRES=off: only SQLite was tested ***\n");
  test("PostgreSQL retention suite was opted out with DGG_TEST_POSTGRES=off", () => {
    expect(process.env.DGG_TEST_POSTGRES).toBe("off");
  });
} else {
  describeRetention("postgres");
}
