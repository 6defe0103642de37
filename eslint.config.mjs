// Lint in CI: typescript-eslint's type-checked recommended rules on product code, the promise
// rules everywhere, type-only imports, no `any` in product code.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", ".data/**", ".scratch/**", "coverage/**", "console/src/gql/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  // Type-checked rules on product code. Tests read untyped GraphQL JSON on every line, so the
  // no-unsafe-* family would only add casts there; they get the promise rules below.
  ...tseslint.configs.recommendedTypeChecked.map((config) => ({ ...config, files: ["**/src/**/*.ts", "console/src/**/*.tsx"], ignores: ["**/test/**", "**/*.test.ts"] })),
  {
    files: ["**/*.ts"],
    rules: {
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "separate-type-imports" }],
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" }],
      // type-graphql and TypeORM read types from decorator metadata, so decorated classes need value imports.
      "@typescript-eslint/no-unsafe-function-type": "off",
    },
  },
  {
    files: ["**/*.ts"],
    ignores: ["**/test/**", "**/*.test.ts"],
    rules: { "@typescript-eslint/no-non-null-assertion": "off" },
  },
  {
    // The console (browser code, its own tsconfig): the same typed rules as product code.
    files: ["console/src/**/*.ts", "console/src/**/*.tsx"],
    languageOptions: {
      parserOptions: { project: ["./console/tsconfig.json"], tsconfigRootDir: import.meta.dirname },
      globals: { window: "readonly", document: "readonly", location: "readonly", fetch: "readonly", URL: "readonly", setTimeout: "readonly", setInterval: "readonly", clearInterval: "readonly" },
    },
    rules: {
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "separate-type-imports" }],
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/no-non-null-assertion": "off",
      "@typescript-eslint/require-await": "off",
    },
  },
  {
    // Typed rules: a promise nobody awaits or catches, in a codebase of timers, workers and
    // fire-and-forget jobs, is a failure nobody sees.
    files: ["**/*.ts"],
    ignores: ["console/**"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      // Apollo's plugin hooks must return promises whether or not they await anything.
      "@typescript-eslint/require-await": "off",
    },
  },
  {
    // A migration is frozen once it has run anywhere: it may not import the service's live
    // code, whose changes would silently change what an old migration does. It may use what
    // is frozen too: an earlier migration of its subgraph, and common's migration builders
    // (packages/common/src/migration-columns.ts).
    files: ["**/src/migrations/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [{ name: "@dgg/common", allowImportNames: ["createTablesMigration", "migrationColumn", "migrationTable"], message: "a migration is frozen: only common's migration builders may be imported into it" }],
          patterns: [{ group: ["../*", "./*", "!./[0-9]*-*", "@dgg/*", "!@dgg/common", "@dgg/common/**"], message: "a migration is frozen: copy what it needs into it instead of importing live code" }],
        },
      ],
    },
  },
  {
    files: ["**/test/**/*.ts", "**/*.test.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off", "@typescript-eslint/no-non-null-assertion": "off" },
  },
  {
    files: ["**/*.js"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    files: ["**/*.mjs", "**/*.js", "**/*.cjs"],
    languageOptions: { globals: { process: "readonly", console: "readonly", fetch: "readonly", Buffer: "readonly", __dirname: "readonly", require: "readonly", module: "writable", setTimeout: "readonly", setInterval: "readonly", clearInterval: "readonly", URL: "readonly" } },
  },
);
