// Scenario: an attacker against the whole system on PostgreSQL (production's engine).
// Runs unless DGG_TEST_POSTGRES=off is set locally; in CI an unreachable server fails the build.
import { postgresDisabled } from "../support/postgres";
import { describeAttacks } from "./attack-suite";

if (postgresDisabled) {
  console.warn("\n*** PostgreSQL attacker's suite DISABLED by DGG_TEST_POSTGRES=off: only SQLite was tested ***\n");
  test("PostgreSQL attacker's suite was opted out with DGG_TEST_POSTGRES=off", () => {
    expect(process.env.DGG_TEST_POSTGRES).toBe("off");
  });
} else {
  describeAttacks("postgres");
}
