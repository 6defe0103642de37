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
  setupFiles: ["<rootDir>/test/setup-env.js"],
};
