// Scenario: the privacy guarantees under concurrent use (device traffic, late holds, late audit entries), on PostgreSQL (production's engine).
// Runs unless DGG_TEST_POSTGRES=off is set locally; in CI an unreachable server fails the build.
import { postgresDisabled } from "../support/postgres";
import { describeGuaranteesSuite } from "./guarantees-suite";

if (postgresDisabled) {
  test("PostgreSQL guarantees suite was opted out with DGG_TEST_POSTGRES=off", () => {
    expect(process.env.DGG_TEST_POSTGRES).toBe("off");
  });
} else {
  describeGuaranteesSuite("postgres");
}
