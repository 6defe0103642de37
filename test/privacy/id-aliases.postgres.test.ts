// Scenario: ids stored under aliases, found by id in every way of asking, unlinked by erasure, on PostgreSQL.
// Runs unless DGG_TEST_POSTGRES=off is set locally; in CI an unreachable server fails the build.
import { postgresDisabled } from "../support/postgres";
import { describeIdAliasesSuite } from "./id-aliases-suite";

if (postgresDisabled) {
  test("PostgreSQL id-aliases suite was opted out with DGG_TEST_POSTGRES=off", () => {
    expect(process.env.DGG_TEST_POSTGRES).toBe("off");
  });
} else {
  describeIdAliasesSuite("postgres");
}
