// Scenario: an attacker against the whole system on the embedded default (SQLite).
import { describeAttacks } from "./attack-suite";

describeAttacks("sqlite");
