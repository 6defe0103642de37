// Scenario: residency proven on PostgreSQL (one database per region and subgraph).
import { describeOnPostgres } from "../support/postgres";
import { describeResidency } from "./residency-suite";

describeOnPostgres("residency suite", () => describeResidency("postgres"));
