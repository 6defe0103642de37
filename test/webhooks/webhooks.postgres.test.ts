// Scenario: signed webhooks for privacy requests on PostgreSQL (production's engine).
// Runs unless DGG_TEST_POSTGRES=off is set locally; in CI an unreachable server fails the build.
import { describeOnPostgres } from "../support/postgres";
import { describeWebhooksSuite } from "./webhooks-suite";

describeOnPostgres("webhooks suite", () => describeWebhooksSuite("postgres"));
