// Scenario: the raw bytes of every database directory, pg_wal and key file after an erasure, on PostgreSQL.
// Runs unless DGG_TEST_POSTGRES=off is set locally; in CI an unreachable server fails the build.
import { describeOnPostgres } from "../support/postgres";
import { describeRawBytesSuite } from "./raw-bytes-suite";

describeOnPostgres("raw-bytes suite", () => describeRawBytesSuite("postgres"));
