// Scenario: Prometheus metrics of every service after a privacy scenario, on PostgreSQL.
// Runs unless DGG_TEST_POSTGRES=off is set locally; in CI an unreachable server fails the build.
import { describeOnPostgres } from "../support/postgres";
import { describeMetricsSuite } from "./metrics-suite";

describeOnPostgres("metrics suite", () => describeMetricsSuite("postgres"));
