/**
 * Scenario: schema-checked CI. The committed SDL files are exactly what the code
 * generates, they compose, the gateway serves the committed supergraph, and that served
 * API schema contains every type, field, argument and enum value of the project's API
 * contract, which itself contains the whole of the design's.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ApolloGateway } from "@apollo/gateway";
import { buildSchema } from "graphql";
import { composeFromRoverConfig, readRoverConfig } from "../../gateway/src/compose";
import { buildUsersSchema } from "../../subgraphs/users/src/schema";
import { buildTelemetrySchema } from "../../subgraphs/telemetry/src/schema";
import { buildAuditSchema } from "../../subgraphs/audit/src/schema";
import { buildStorageRegionsSchema } from "../../subgraphs/storage-regions/src/schema";
import { buildGovernanceSchema } from "../../subgraphs/governance/src/schema";
import { contractViolations } from "./contract-check";

const root = join(__dirname, "..", "..");
const roverYaml = join(root, "rover.yaml");
const builders: Record<string, () => Promise<{ sdl: string }>> = {
  users: buildUsersSchema,
  telemetry: buildTelemetrySchema,
  audit: buildAuditSchema,
  "storage-regions": buildStorageRegionsSchema,
  governance: buildGovernanceSchema,
};

describe("schema", () => {
  it("lists every subgraph in rover.yaml, each with a schema builder", () => {
    expect(readRoverConfig(roverYaml).subgraphs.map((subgraph) => subgraph.name).sort()).toEqual(Object.keys(builders).sort());
  });

  it.each(Object.keys(builders))("committed schema/%s.graphql equals what the code generates", async (name) => {
    const { sdl } = await builders[name]!();
    const file = readRoverConfig(roverYaml).subgraphs.find((subgraph) => subgraph.name === name)!.file;
    expect(readFileSync(file, "utf8")).toBe(sdl);
  });

  it("composes, and the committed supergraph is that composition", () => {
    const composed = composeFromRoverConfig(roverYaml);
    expect(readFileSync(join(root, "schema", "supergraph.graphql"), "utf8")).toBe(composed);
  });

  it("keeps the project's API contract a superset of the design's", () => {
    const shared = join(root, "..", "shared", "design", "api-contract.graphql");
    const project = buildSchema(readFileSync(join(root, "schema", "api-contract.graphql"), "utf8"));
    let original: string | null = null;
    try {
      original = readFileSync(shared, "utf8");
    } catch {
      // A checkout without shared/ beside it: the committed contract is the reference.
    }
    if (original !== null) expect(contractViolations(buildSchema(original), project)).toEqual([]);
  });

  it("serves an API schema that contains the whole contract", async () => {
    const gateway = new ApolloGateway({ supergraphSdl: readFileSync(join(root, "schema", "supergraph.graphql"), "utf8") });
    const { schema } = await gateway.load();
    try {
      const contract = buildSchema(readFileSync(join(root, "schema", "api-contract.graphql"), "utf8"));
      expect(contractViolations(contract, schema)).toEqual([]);
    } finally {
      await gateway.stop();
    }
  });

  it("detects a contract violation (the checker itself can fail)", () => {
    const contract = buildSchema("type Query { a(first: Int = 50): [String!]! } enum E { X Y }");
    const served = buildSchema("type Query { a(first: Int): [String] } enum E { X }");
    expect(contractViolations(contract, served)).toEqual([
      "Query.a is [String], contract says [String!]!",
      "Query.a(first) defaults to undefined, contract says 50",
      "enum E lacks Y",
    ]);
  });
});
