// Scenario: a fifth data subgraph (a fixture) joins by one registry entry and one adapter; governance exports and erases it, on the embedded default (SQLite).
import { describeFifthSubgraphSuite } from "./fifth-subgraph-suite";

describeFifthSubgraphSuite("sqlite");
