// Scenario: migrations are frozen: each subgraph's make exactly the recorded schema, on the embedded default (SQLite).
import { describeFrozenMigrationsSuite } from "./migrations-frozen-suite";

describeFrozenMigrationsSuite("sqlite");
