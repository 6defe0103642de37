// Scenario: moves of any size (chunked, resumable, cancellable) on the embedded default (SQLite).
import { describeResidencyMoves } from "./residency-moves-suite";

describeResidencyMoves("sqlite");
