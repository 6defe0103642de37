// Scenario: durable privacy requests through the gateway, on PostgreSQL (production's engine).
// Runs unless DGG_TEST_POSTGRES=off is set locally; in CI an unreachable server fails the build.
import { describeOnPostgres } from "../support/postgres";
import { describeEngineSuite } from "./engine-suite";

describeOnPostgres("engine suite", () => describeEngineSuite("postgres"));
