// Scenario: /ready on every service and the gateway, on the embedded default (SQLite).
import { describeReadinessSuite } from "./readiness-suite";

describeReadinessSuite("sqlite");
