/**
 * Fuzz: a seeded corpus of at least 1,000 malformed requests from fast-check. Every answer
 * is a well-formed GraphQL error or success (never a page, a stack or SQL, never a 5xx),
 * the process stays up, and no store changes on a refused request (the access audit's own
 * entries aside: recording refused attempts is required).
 */
import fc from "fast-check";
import { fuzzRequests } from "../support/fuzz-corpus";
import { storeFingerprint } from "../support/store-fingerprint";
import type { Tally } from "../support/tally";
import { isRefusal, malformation } from "../support/well-formed";
import type { GraphQLBody } from "../support/well-formed";
import type { World } from "../support/world";

export const FUZZ_SEED = 20_241_203;
export const FUZZ_RUNS = 1000;

export function fuzzSection(world: () => World, tally: Tally): void {
  it(`answers ${FUZZ_RUNS} malformed requests (seed ${FUZZ_SEED}) well-formed, stays up, and changes nothing when it refuses`, async () => {
    const w = world();
    const tokens = [w.a.admin, w.a.officer, w.a.subject, w.a.ingest, w.operator, w.b.admin];
    let baseline = JSON.stringify(await storeFingerprint(w.system));
    let refused = 0;
    const outcomes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fuzzRequests(tokens), async (request) => {
        const url = request.method === "GET" ? `${w.system.gatewayUrl}${request.search ?? ""}` : w.system.gatewayUrl;
        const response = await w.send(url, { method: request.method, headers: request.headers, body: request.body });
        tally.add("fuzz");
        const wrong = malformation(response);
        if (wrong) throw new Error(`${wrong}: ${response.status} ${response.text.slice(0, 300)}`);
        const after = JSON.stringify(await storeFingerprint(w.system));
        const body = JSON.parse(response.text) as GraphQLBody;
        const outcome = `${response.status} ${String(body.errors?.[0]?.extensions?.code ?? "data")}`;
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        // Malformed input is the client's fault: an internal error here is a bug, not an answer.
        if (body.errors?.some((error) => error.extensions?.code === "INTERNAL_SERVER_ERROR")) {
          throw new Error(`internal error for ${JSON.stringify(request).slice(0, 600)}: ${response.text.slice(0, 300)}`);
        }
        if (isRefusal(body)) {
          refused += 1;
          if (after !== baseline) throw new Error(`a refused request changed a store: ${baseline} -> ${after}`);
        }
        baseline = after;
      }),
      { seed: FUZZ_SEED, numRuns: FUZZ_RUNS, endOnFailure: true },
    );
    console.log(`fuzz outcomes (status, first code): ${JSON.stringify(Object.fromEntries([...outcomes].sort()))}`);
    expect(refused).toBeGreaterThan(FUZZ_RUNS / 2);
    const health = await fetch(w.system.gatewayUrl.replace(/\/graphql$/, "/health"));
    expect(health.status).toBe(200);
    const still = await w.system.gql(w.a.admin, `query($u: ID!) { personalData(user: $u) { userId } }`, { u: w.a.userId });
    expect(still.body.errors).toBeUndefined();
    expect(still.body.data!.personalData.userId).toBe(w.a.userId);
  });
}
