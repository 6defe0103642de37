// Scenario: the raw bytes of every store file after an erasure, on the embedded default (SQLite).
import { describeRawBytesSuite } from "./raw-bytes-suite";

describeRawBytesSuite("sqlite");
