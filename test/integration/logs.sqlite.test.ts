// Scenario: structured logs of every service after a scenario full of personal data, on the embedded default (SQLite).
import { describeLogsSuite } from "./logs-suite";

describeLogsSuite("sqlite");
