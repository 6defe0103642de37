// Scenario: ids stored under aliases, found by id in every way of asking, unlinked by erasure, on SQLite.
import { describeIdAliasesSuite } from "./id-aliases-suite";

describeIdAliasesSuite("sqlite");
