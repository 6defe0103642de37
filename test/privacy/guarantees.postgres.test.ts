// Scenario: the privacy guarantees under concurrent use (device traffic, late holds, late audit entries), on PostgreSQL (production's engine).
// Runs unless DGG_TEST_POSTGRES=off is set locally; in CI an unreachable server fails the build.
import { describeOnPostgres } from "../support/postgres";
import { describeGuaranteesSuite } from "./guarantees-suite";

describeOnPostgres("guarantees suite", () => describeGuaranteesSuite("postgres"));
