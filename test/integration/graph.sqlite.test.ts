// Scenario: the whole graph, in-process, on the embedded default (SQLite).
import { describeGraph } from "./graph-suite";

describeGraph("sqlite");
