// Scenario: the seed's three clocks, a legal hold and two replicas, on PostgreSQL (partitioned telemetry).
// Runs unless DGG_TEST_POSTGRES=off is set locally; in CI an unreachable server fails the build.
import { describeOnPostgres } from "../support/postgres";
import { describeRetention } from "./retention-suite";

describeOnPostgres("retention suite", () => describeRetention("postgres"));
