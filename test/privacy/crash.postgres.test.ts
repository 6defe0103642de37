// Scenario: the fault-injection suite on PostgreSQL (production's engine), governance as child processes.
// Runs unless DGG_TEST_POSTGRES=off is set locally; in CI an unreachable server fails the build.
import { postgresDisabled } from "../support/postgres";
import { describeCrashSuite } from "./crash-suite";

if (postgresDisabled) {
  test("PostgreSQL crash suite was opted out with DGG_TEST_POSTGRES=off", () => {
    expect(process.env.DGG_TEST_POSTGRES).toBe("off");
  });
} else {
  describeCrashSuite("postgres");
}
