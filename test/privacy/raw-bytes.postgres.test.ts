// Scenario: the raw bytes of every database directory, pg_wal and key file after an erasure, on PostgreSQL.
// Runs unless DGG_TEST_POSTGRES=off is set locally; in CI an unreachable server fails the build.
import { postgresDisabled } from "../support/postgres";
import { describeRawBytesSuite } from "./raw-bytes-suite";

if (postgresDisabled) {
  test("PostgreSQL raw-bytes suite was opted out with DGG_TEST_POSTGRES=off", () => {
    expect(process.env.DGG_TEST_POSTGRES).toBe("off");
  });
} else {
  describeRawBytesSuite("postgres");
}
