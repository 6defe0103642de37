/**
 * The floor plan, checked (`npm run lint:architecture`, part of `npm test`): no import circles,
 * subgraphs never import one another, packages/common imports no service, and inside
 * governance nothing imports upward (a feature never reaches for the GraphQL layer or the
 * wiring above it).
 */
/** A forbidden dependency: every rule of the floor plan fails the check. */
const rule = (name, comment, from, to) => ({ name, severity: "error", comment, from, to });

module.exports = {
  forbidden: [
    rule("no-circular", "An import circle: the modules cannot be understood (or loaded) one before the other.", {}, { circular: true }),
    rule("subgraphs-apart", "Subgraphs talk over HTTP (the personal-data contract), never by importing one another.", { path: "^subgraphs/([^/]+)/" }, { path: "^subgraphs/([^/]+)/", pathNot: "^subgraphs/$1/" }),
    rule("common-is-the-ground-floor", "packages/common is shared by every service and imports none of them.", { path: "^packages/common/" }, { path: "^(subgraphs|gateway)/" }),
    rule("governance-features-not-upward", "A governance feature (privacy, retention, residency, holds, webhooks, ...) never imports the GraphQL layer or the wiring above it.", { path: "^subgraphs/governance/src/(?!resolvers/|schema\\.ts|server\\.ts|index\\.ts|options-from-env\\.ts|erasure-replay\\.ts)" }, { path: "^subgraphs/governance/src/(resolvers/|schema\\.ts|server\\.ts|index\\.ts)" }),
    rule("governance-entities-are-the-floor", "Entities describe tables; they import no feature of governance, only the leaf modules that name what a column holds (statuses, the checkpoint, webhook events).", { path: "^subgraphs/governance/src/(entities/|webhooks/[^/]+\\.entity\\.ts)" }, { path: "^subgraphs/governance/src/", pathNot: "^subgraphs/governance/src/(entities/|webhooks/[^/]+\\.entity\\.ts|privacy/engine/(statuses|checkpoint)\\.ts|webhooks/webhook-event\\.ts)" }),
    rule("governance-resolvers-not-upward", "Resolvers are wired by the schema and the server, not the other way round.", { path: "^subgraphs/governance/src/resolvers/" }, { path: "^subgraphs/governance/src/(schema\\.ts|server\\.ts|index\\.ts)" }),
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(dist|node_modules)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js", ".mjs", ".json"] },
  },
};
