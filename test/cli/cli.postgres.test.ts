// Scenario: the dgg command against PostgreSQL stores.
// Runs unless DGG_TEST_POSTGRES=off is set locally; in CI an unreachable server fails the build.
import { describeOnPostgres } from "../support/postgres";
import { describeCliSuite } from "./cli-suite";

describeOnPostgres("CLI suite", () => describeCliSuite("postgres"));
