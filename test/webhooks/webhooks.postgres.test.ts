// Scenario: signed webhooks for privacy requests on PostgreSQL (production's engine).
// Runs unless DGG_TEST_POSTGRES=off is set locally; in CI an unreachable server fails the build.
import { postgresDisabled } from "../support/postgres";
import { describeWebhooksSuite } from "./webhooks-suite";

if (postgresDisabled) {
  test("PostgreSQL webhooks suite was opted out with DGG_TEST_POSTGRES=off", () => {
    expect(process.env.DGG_TEST_POSTGRES).toBe("off");
  });
} else {
  describeWebhooksSuite("postgres");
}
