// Tests never phone home and never read the developer's .data/ keys.
process.env.APOLLO_TELEMETRY_DISABLED = "true";
// Services built in-process log nothing unless LOG_LEVEL says otherwise (or a test captures
// their lines, see startTestSystem's `logs`). Child processes inherit it: a test that reads a
// child's output sets LOG_LEVEL for it (test/support/governance-process.ts, the e2e test).
process.env.LOG_LEVEL ??= "silent";
// Subject-key files of services a test builds without naming them go to a scratch folder of this worker, not to .data/.
const { mkdtempSync } = require("node:fs");
const { join } = require("node:path");
const { tmpdir } = require("node:os");
process.env.DGG_SUBJECT_KEYS_DIR = mkdtempSync(join(tmpdir(), "dgg-subject-keys-"));
