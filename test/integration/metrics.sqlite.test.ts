// Scenario: Prometheus metrics of every service after a privacy scenario, on the embedded default (SQLite).
import { describeMetricsSuite } from "./metrics-suite";

describeMetricsSuite("sqlite");
