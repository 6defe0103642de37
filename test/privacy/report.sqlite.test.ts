// Scenario: readable archives (report.html, the zip download) on the embedded default (SQLite).
import { describeReportSuite } from "./report-suite";

describeReportSuite("sqlite");
