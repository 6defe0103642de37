// Scenario: migrations are frozen: each subgraph's make exactly the recorded schema, on PostgreSQL.
// Runs unless DGG_TEST_POSTGRES=off is set locally; in CI an unreachable server fails the build.
import { describeOnPostgres } from "../support/postgres";
import { describeFrozenMigrationsSuite } from "./migrations-frozen-suite";

describeOnPostgres("frozen-migrations suite", () => describeFrozenMigrationsSuite("postgres"));
