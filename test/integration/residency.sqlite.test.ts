// Scenario: residency proven on the embedded default (SQLite, one file per region and subgraph).
import { describeResidency } from "./residency-suite";

describeResidency("sqlite");
