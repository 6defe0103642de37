// Scenario: moves of any size (chunked, resumable, cancellable) on PostgreSQL.
import { describeOnPostgres } from "../support/postgres";
import { describeResidencyMoves } from "./residency-moves-suite";

describeOnPostgres("residency moves suite", () => describeResidencyMoves("postgres"));
