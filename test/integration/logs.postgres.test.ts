// Scenario: structured logs of every service after a scenario full of personal data, on PostgreSQL.
// Runs unless DGG_TEST_POSTGRES=off is set locally; in CI an unreachable server fails the build.
import { describeOnPostgres } from "../support/postgres";
import { describeLogsSuite } from "./logs-suite";

describeOnPostgres("logs suite", () => describeLogsSuite("postgres"));
