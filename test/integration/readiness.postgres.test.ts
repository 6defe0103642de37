// Scenario: /ready on every service and the gateway, on PostgreSQL (a database that refuses connections).
// Runs unless DGG_TEST_POSTGRES=off is set locally; in CI an unreachable server fails the build.
import { postgresDisabled } from "../support/postgres";
import { describeReadinessSuite } from "./readiness-suite";

if (postgresDisabled) {
  test("PostgreSQL readiness suite was opted out with DGG_TEST_POSTGRES=off", () => {
    expect(process.env.DGG_TEST_POSTGRES).toBe("off");
  });
} else {
  describeReadinessSuite("postgres");
}
