// Scenario: the privacy console in headless Chromium against the whole system, on the embedded default (SQLite).
import { describeConsoleSuite } from "./console-suite";

describeConsoleSuite("sqlite");
