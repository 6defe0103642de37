// Scenario: moves of any size (chunked, resumable, cancellable) on PostgreSQL.
import { postgresDisabled } from "../support/postgres";
import { describeResidencyMoves } from "./residency-moves-suite";

if (postgresDisabled) {
  console.warn("\n*** PostgreSQL residency moves suite DISABLED by DGG_TEST_POSTGRES=off ***\n");
  test("PostgreSQL residency moves suite was opted out with DGG_TEST_POSTGRES=off", () => {
    expect(process.env.DGG_TEST_POSTGRES).toBe("off");
  });
} else {
  describeResidencyMoves("postgres");
}
