// Scenario: /ready on every service and the gateway, on PostgreSQL (a database that refuses connections).
// Runs unless DGG_TEST_POSTGRES=off is set locally; in CI an unreachable server fails the build.
import { describeOnPostgres } from "../support/postgres";
import { describeReadinessSuite } from "./readiness-suite";

describeOnPostgres("readiness suite", () => describeReadinessSuite("postgres"));
