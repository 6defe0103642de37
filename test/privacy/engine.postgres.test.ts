// Scenario: durable privacy requests through the gateway, on PostgreSQL (production's engine).
// Runs unless DGG_TEST_POSTGRES=off is set locally; in CI an unreachable server fails the build.
import { postgresDisabled } from "../support/postgres";
import { describeEngineSuite } from "./engine-suite";

if (postgresDisabled) {
  test("PostgreSQL engine suite was opted out with DGG_TEST_POSTGRES=off", () => {
    expect(process.env.DGG_TEST_POSTGRES).toBe("off");
  });
} else {
  describeEngineSuite("postgres");
}
