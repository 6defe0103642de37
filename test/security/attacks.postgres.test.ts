// Scenario: an attacker against the whole system on PostgreSQL (production's engine).
// Runs unless DGG_TEST_POSTGRES=off is set locally; in CI an unreachable server fails the build.
import { describeOnPostgres } from "../support/postgres";
import { describeAttacks } from "./attack-suite";

describeOnPostgres("attacker's suite", () => describeAttacks("postgres"));
