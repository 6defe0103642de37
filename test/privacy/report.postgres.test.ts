// Scenario: readable archives (report.html, the zip download) on PostgreSQL (production's engine).
// Runs unless DGG_TEST_POSTGRES=off is set locally; in CI an unreachable server fails the build.
import { postgresDisabled } from "../support/postgres";
import { describeReportSuite } from "./report-suite";

if (postgresDisabled) {
  test("PostgreSQL report suite was opted out with DGG_TEST_POSTGRES=off", () => {
    expect(process.env.DGG_TEST_POSTGRES).toBe("off");
  });
} else {
  describeReportSuite("postgres");
}
