// Scenario: the whole graph, in-process, on PostgreSQL (production's engine).
// Runs unless DGG_TEST_POSTGRES=off is set locally; in CI an unreachable server fails the build.
import { describeOnPostgres } from "../support/postgres";
import { describeGraph } from "./graph-suite";

describeOnPostgres("suite", () => describeGraph("postgres"));
