// Scenario: traces across every process, on SQLite, exported as OTLP http/json.
import { describeTracingSuite } from "./tracing-suite";

describeTracingSuite("sqlite", "http/json");
