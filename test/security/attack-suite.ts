/**
 * The attacker's suite, shared by the SQLite and PostgreSQL runs: every public operation
 * by every role, forged and stale tokens, cross-tenant reads, direct subgraph calls,
 * query limits, injection-shaped inputs, production hardening and a seeded fuzz corpus.
 * Its closing line counts the cases tried per category.
 */
import type { StoreKind } from "../support/system";
import { Tally } from "./support/tally";
import { buildWorld } from "./support/world";
import type { World } from "./support/world";
import { crossTenantSection } from "./sections/cross-tenant";
import { directSubgraphSection } from "./sections/direct-subgraph";
import { fuzzSection } from "./sections/fuzz";
import { injectionSection } from "./sections/injection";
import { limitsSection } from "./sections/limits";
import { productionSection } from "./sections/production";
import { rolesSection } from "./sections/roles";
import { tokensSection } from "./sections/tokens";

export function describeAttacks(kind: StoreKind): void {
  describe(`the attacker's suite on ${kind}`, () => {
    let world: World;
    const tally = new Tally();
    const get = () => world;

    // The gateway logs each refused token, one line per attack: hundreds here, by design.
    let quiet: jest.SpyInstance;
    beforeAll(async () => {
      quiet = jest.spyOn(console, "warn").mockImplementation(() => undefined);
      world = await buildWorld(kind);
    });
    afterAll(async () => {
      await world?.stop();
      quiet.mockRestore();
      console.log(tally.line(kind));
    });

    describe("tokens", () => tokensSection(get, tally));
    describe("roles x operations", () => rolesSection(get, tally));
    describe("cross-tenant", () => crossTenantSection(get, tally));
    describe("direct subgraph", () => directSubgraphSection(get, tally));
    describe("limits", () => limitsSection(get, tally));
    describe("injection", () => injectionSection(get, tally));
    describe("production", () => productionSection(get, tally));
    describe("fuzz", () => fuzzSection(get, tally));
  });
}
