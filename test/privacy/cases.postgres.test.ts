// Scenario: privacy requests as cases (access, approval, denial, cancellation, extensions, history) on PostgreSQL.
// Runs unless DGG_TEST_POSTGRES=off is set locally; in CI an unreachable server fails the build.
import { postgresDisabled } from "../support/postgres";
import { describeCasesSuite } from "./cases-suite";

if (postgresDisabled) {
  test("PostgreSQL cases suite was opted out with DGG_TEST_POSTGRES=off", () => {
    expect(process.env.DGG_TEST_POSTGRES).toBe("off");
  });
} else {
  describeCasesSuite("postgres");
}
