// Scenario: the fault-injection suite on PostgreSQL (production's engine), governance as child processes.
// Runs unless DGG_TEST_POSTGRES=off is set locally; in CI an unreachable server fails the build.
import { describeOnPostgres } from "../support/postgres";
import { describeCrashSuite } from "./crash-suite";

describeOnPostgres("crash suite", () => describeCrashSuite("postgres"));
