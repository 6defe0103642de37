/**
 * The floor plan, checked (`npm run lint:architecture`, part of `npm test`): no import circles,
 * subgraphs never import one another, packages/common imports no service, and inside
 * governance nothing imports upward (a feature never reaches for the GraphQL layer or the
 * wiring above it).
 */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "An import circle: the modules cannot be understood (or loaded) one before the other.",
      from: {},
      to: { circular: true },
    },
    {
      name: "subgraphs-apart",
      severity: "error",
      comment: "Subgraphs talk over HTTP (the personal-data contract), never by importing one another.",
      from: { path: "^subgraphs/([^/]+)/" },
      to: { path: "^subgraphs/([^/]+)/", pathNot: "^subgraphs/$1/" },
    },
    {
      name: "common-is-the-ground-floor",
      severity: "error",
      comment: "packages/common is shared by every service and imports none of them.",
      from: { path: "^packages/common/" },
      to: { path: "^(subgraphs|gateway)/" },
    },
    {
      name: "governance-features-not-upward",
      severity: "error",
      comment: "A governance feature (privacy, retention, residency, holds, webhooks, ...) never imports the GraphQL layer or the wiring above it.",
      from: { path: "^subgraphs/governance/src/(?!resolvers/|schema\\.ts|server\\.ts|index\\.ts|options-from-env\\.ts|erasure-replay\\.ts)" },
      to: { path: "^subgraphs/governance/src/(resolvers/|schema\\.ts|server\\.ts|index\\.ts)" },
    },
    {
      name: "governance-entities-are-the-floor",
      severity: "error",
      comment: "Entities describe tables; they import no feature of governance, only the leaf modules that name what a column holds (statuses, the checkpoint, webhook events).",
      from: { path: "^subgraphs/governance/src/(entities/|webhooks/[^/]+\\.entity\\.ts)" },
      to: { path: "^subgraphs/governance/src/", pathNot: "^subgraphs/governance/src/(entities/|webhooks/[^/]+\\.entity\\.ts|privacy/engine/(statuses|checkpoint)\\.ts|webhooks/webhook-event\\.ts)" },
    },
    {
      name: "governance-resolvers-not-upward",
      severity: "error",
      comment: "Resolvers are wired by the schema and the server, not the other way round.",
      from: { path: "^subgraphs/governance/src/resolvers/" },
      to: { path: "^subgraphs/governance/src/(schema\\.ts|server\\.ts|index\\.ts)" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(dist|node_modules)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js", ".mjs", ".json"] },
  },
};
