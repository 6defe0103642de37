/** @type {import('jest').Config} */
const swc = ["@swc/jest", JSON.parse(require("node:fs").readFileSync(__dirname + "/.swcrc", "utf8"))];

module.exports = {
  testEnvironment: "node",
  transform: { "^.+\\.ts$": swc },
  moduleNameMapper: {
    "^@dgg/common$": "<rootDir>/packages/common/src/index.ts",
    "^@dgg/common/testkit$": "<rootDir>/packages/common/src/testkit.ts",
  },
  testMatch: ["<rootDir>/**/*.test.ts"],
  testPathIgnorePatterns: ["/node_modules/", "/dist/", "/.scratch/"],
  modulePathIgnorePatterns: ["/dist/"],
  testTimeout: 60000,
  // Every test file loads the whole server stack again in a fresh module registry, and
  // something process-wide keeps old registries alive (which, is not known yet): in one
  // long-lived process the heap grew past 3 GB over the run and every later suite ran
  // slower. A limit makes jest run files in a worker (even one) and replace it when it grows.
  workerIdleMemoryLimit: "1GB",
  setupFiles: ["<rootDir>/test/setup-env.js"],
};
