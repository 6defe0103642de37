// Scenario: a fifth data subgraph (a fixture) joins by one registry entry and one adapter; governance exports and erases it, on PostgreSQL.
// Runs unless DGG_TEST_POSTGRES=off is set locally; in CI an unreachable server fails the build.
import { describeOnPostgres } from "../support/postgres";
import { describeFifthSubgraphSuite } from "./fifth-subgraph-suite";

describeOnPostgres("fifth-subgraph suite", () => describeFifthSubgraphSuite("postgres"));
