// Scenario: durable privacy requests through the gateway, on the embedded default (SQLite).
import { describeEngineSuite } from "./engine-suite";

describeEngineSuite("sqlite");
