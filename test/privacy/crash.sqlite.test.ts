// Scenario: the fault-injection suite on the embedded default (SQLite), governance as child processes.
import { describeCrashSuite } from "./crash-suite";

describeCrashSuite("sqlite");
