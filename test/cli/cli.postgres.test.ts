// Scenario: the dgg command against PostgreSQL stores.
// Runs unless DGG_TEST_POSTGRES=off is set locally; in CI an unreachable server fails the build.
import { postgresDisabled } from "../support/postgres";
import { describeCliSuite } from "./cli-suite";

if (postgresDisabled) {
  test("PostgreSQL CLI suite was opted out with DGG_TEST_POSTGRES=off", () => {
    expect(process.env.DGG_TEST_POSTGRES).toBe("off");
  });
} else {
  describeCliSuite("postgres");
}
