// Scenario: residency proven on PostgreSQL (one database per region and subgraph).
import { postgresDisabled } from "../support/postgres";
import { describeResidency } from "./residency-suite";

if (postgresDisabled) {
  console.warn("\n*** PostgreSQL residency suite DISABLED by DGG_TEST_POSTGRES=off ***\n");
  test("PostgreSQL residency suite was opted out with DGG_TEST_POSTGRES=off", () => {
    expect(process.env.DGG_TEST_POSTGRES).toBe("off");
  });
} else {
  describeResidency("postgres");
}
