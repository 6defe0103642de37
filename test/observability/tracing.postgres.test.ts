// Scenario: traces across every process, on PostgreSQL, exported as OTLP http/protobuf.
// Runs unless DGG_TEST_POSTGRES=off is set locally; in CI an unreachable server fails the build.
import { describeOnPostgres } from "../support/postgres";
import { describeTracingSuite } from "./tracing-suite";

describeOnPostgres("tracing suite", () => describeTracingSuite("postgres", "http/protobuf"));
