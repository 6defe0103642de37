// Tests never phone home and never read the developer's .data/ keys.
process.env.APOLLO_TELEMETRY_DISABLED = "true";
// Subject-key files of services a test builds without naming them go to a scratch folder of this worker, not to .data/.
const { mkdtempSync } = require("node:fs");
const { join } = require("node:path");
const { tmpdir } = require("node:os");
process.env.DGG_SUBJECT_KEYS_DIR = mkdtempSync(join(tmpdir(), "dgg-subject-keys-"));
