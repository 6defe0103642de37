// Scenario: the dgg command against the embedded default (SQLite).
import { describeCliSuite } from "./cli-suite";

describeCliSuite("sqlite");
