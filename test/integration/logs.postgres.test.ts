// Scenario: structured logs of every service after a scenario full of personal data, on PostgreSQL.
// Runs unless DGG_TEST_POSTGRES=off is set locally; in CI an unreachable server fails the build.
import { postgresDisabled } from "../support/postgres";
import { describeLogsSuite } from "./logs-suite";

if (postgresDisabled) {
  test("PostgreSQL logs suite was opted out with DGG_TEST_POSTGRES=off", () => {
    expect(process.env.DGG_TEST_POSTGRES).toBe("off");
  });
} else {
  describeLogsSuite("postgres");
}
