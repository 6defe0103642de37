// Scenario: readable archives (report.html, the zip download) on PostgreSQL (production's engine).
// Runs unless DGG_TEST_POSTGRES=off is set locally; in CI an unreachable server fails the build.
import { describeOnPostgres } from "../support/postgres";
import { describeReportSuite } from "./report-suite";

describeOnPostgres("report suite", () => describeReportSuite("postgres"));
