// Scenario: ids stored under aliases, found by id in every way of asking, unlinked by erasure, on PostgreSQL.
// Runs unless DGG_TEST_POSTGRES=off is set locally; in CI an unreachable server fails the build.
import { describeOnPostgres } from "../support/postgres";
import { describeIdAliasesSuite } from "./id-aliases-suite";

describeOnPostgres("id-aliases suite", () => describeIdAliasesSuite("postgres"));
