// Scenario: the seed's three clocks, a legal hold and two replicas, on the embedded default (SQLite).
import { describeRetention } from "./retention-suite";

describeRetention("sqlite");
