// Scenario: a fifth data subgraph (a fixture) joins by one registry entry and one adapter; governance exports and erases it, on PostgreSQL.
// Runs unless DGG_TEST_POSTGRES=off is set locally; in CI an unreachable server fails the build.
import { postgresDisabled } from "../support/postgres";
import { describeFifthSubgraphSuite } from "./fifth-subgraph-suite";

if (postgresDisabled) {
  test("PostgreSQL fifth-subgraph suite was opted out with DGG_TEST_POSTGRES=off", () => {
    expect(process.env.DGG_TEST_POSTGRES).toBe("off");
  });
} else {
  describeFifthSubgraphSuite("postgres");
}
