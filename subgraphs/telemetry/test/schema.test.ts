/**
 * Scenario: the gateway composes this subgraph with users and serves the API contract.
 * Everything telemetry owns (its types, PersonalData.telemetry, Mutation.ingestTelemetry)
 * has exactly the contract's names, types, arguments and defaults, and the subgraph
 * composes beside users, which shares the PersonalData entity and PageInfo.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { composeServices } from "@apollo/composition";
import { buildSchema, parse } from "graphql";
import { buildTelemetrySchema } from "../src/schema";
import { buildUsersSchema } from "../../users/src/schema";
import { contractViolations } from "../../../test/schema/contract-check";

const OWNED_TYPES = ["TelemetryEvent", "TelemetryEdge", "TelemetryConnection", "TelemetryIngestResult", "TelemetryEventInput", "TelemetryKind", "PageInfo"];
const OWNED_FIELDS = ["PersonalData.userId", "PersonalData.telemetry", "Mutation.ingestTelemetry"];

describe("telemetry schema", () => {
  it("matches the API contract for everything telemetry serves", async () => {
    const { schema } = await buildTelemetrySchema();
    const contract = buildSchema(readFileSync(join(__dirname, "..", "..", "..", "schema", "api-contract.graphql"), "utf8"));
    const problems = contractViolations(contract, schema);
    // Problem lines read "type X is missing", "enum X lacks V", "X.field is ...", "input X.field ...".
    const subject = (problem: string) => problem.replace(/^(type|enum|input|union) /, "");
    const owned = problems.filter((problem) =>
      [...OWNED_TYPES, ...OWNED_FIELDS].some((name) => new RegExp(`^${name.replace(".", "\\.")}[ .(]`).test(subject(problem))),
    );
    expect(owned).toEqual([]);
    // The checker reports what is missing elsewhere (other subgraphs' types), so it did run.
    expect(problems).toContain("type UserAccount is missing");
    expect(String(schema.getMutationType()?.getFields().ingestTelemetry?.type)).toBe("TelemetryIngestResult!");
  });

  it("keys PersonalData by userId and composes beside users", async () => {
    const telemetry = await buildTelemetrySchema();
    const users = await buildUsersSchema();
    expect(telemetry.sdl).toContain('type PersonalData @key(fields: "userId")');
    expect(telemetry.sdl).not.toMatch(/tenantId/);
    const result = composeServices([
      { name: "users", url: "http://users/graphql", typeDefs: parse(users.sdl) },
      { name: "telemetry", url: "http://telemetry/graphql", typeDefs: parse(telemetry.sdl) },
    ]);
    expect(result.errors?.map(String)).toBeUndefined();
  });
});
