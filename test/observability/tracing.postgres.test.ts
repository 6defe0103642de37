// Scenario: traces across every process, on PostgreSQL, exported as OTLP http/protobuf.
// Runs unless DGG_TEST_POSTGRES=off is set locally; in CI an unreachable server fails the build.
import { postgresDisabled } from "../support/postgres";
import { describeTracingSuite } from "./tracing-suite";

if (postgresDisabled) {
  test("PostgreSQL tracing suite was opted out with DGG_TEST_POSTGRES=off", () => {
    expect(process.env.DGG_TEST_POSTGRES).toBe("off");
  });
} else {
  describeTracingSuite("postgres", "http/protobuf");
}
