// Scenario: privacy requests as cases (access, approval, denial, cancellation, extensions, history) on PostgreSQL.
// Runs unless DGG_TEST_POSTGRES=off is set locally; in CI an unreachable server fails the build.
import { describeOnPostgres } from "../support/postgres";
import { describeCasesSuite } from "./cases-suite";

describeOnPostgres("cases suite", () => describeCasesSuite("postgres"));
