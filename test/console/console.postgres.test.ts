// Scenario: the privacy console in headless Chromium against the whole system, on PostgreSQL.
// Runs unless DGG_TEST_POSTGRES=off is set locally; in CI an unreachable server fails the build.
import { describeOnPostgres } from "../support/postgres";
import { describeConsoleSuite } from "./console-suite";

describeOnPostgres("console suite", () => describeConsoleSuite("postgres"));
