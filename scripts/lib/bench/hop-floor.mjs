// The least CPU a personalData request can cost with the hops it makes, for `bench:gateway`:
// how many requests each subgraph serves per personalData (counted in the services' own debug
// logs), and what each subgraph spends serving a request that does nothing. A lower bound: it
// leaves out the calling side of every hop and all the work the hops do.
import { closedLoop } from "./personal-data.mjs";
import { cpuMsOf, gql } from "./postgres-process.mjs";
import { startServices } from "../processes.mjs";

/** CPU ms the process `pid` spends per call, over `seconds` of closed-loop load (after two unmeasured seconds). */
async function cpuPerCall(pid, connections, seconds, call) {
  await closedLoop(connections, 2, call);
  const before = cpuMsOf(pid);
  const run = await closedLoop(connections, seconds, call);
  return (cpuMsOf(pid) - before) / run.count;
}

async function expectOk(response, what) {
  const text = await response.text();
  if (!response.ok || text.includes('"errors"')) throw new Error(`${what} answered ${response.status}: ${text.slice(0, 300)}`);
}

/** A query every server answers by itself: nothing resolved, no subgraph asked. */
const NOTHING = "{ __typename }";

/** `NOTHING` sent to a subgraph with an internal identity in `headerName`. */
function typename(url, headerName, internalToken, what) {
  return async () => {
    const response = await fetch(`${url}/graphql`, { method: "POST", headers: { "content-type": "application/json", [headerName]: await internalToken() }, body: JSON.stringify({ query: NOTHING }) });
    await expectOk(response, `${what} ${NOTHING}`);
  };
}

/**
 * For every subgraph, the CPU of one request served with nothing to do: `{ __typename }` over
 * GraphQL with a valid internal identity (express, the identity check, Apollo Server's
 * pipeline), and `GET /health` (express alone: a lower bound for an internal call, which also
 * checks the identity and does its work). For the gateway, `{ __typename }` with the client's
 * token: its pipeline and the client's authentication, without a query plan's fetches.
 * `internalToken()` gives a valid internal token (they live two minutes, the measurements longer).
 */
export async function servedFloors({ subgraphs, urlOf, pidOf, internalToken, headerName, gateway, connections, seconds }) {
  const floors = {};
  for (const name of subgraphs) {
    const health = () => fetch(`${urlOf(name)}/health`).then((response) => expectOk(response, `${name} /health`));
    floors[name] = {
      graphql: await cpuPerCall(pidOf(name), connections, seconds, typename(urlOf(name), headerName, internalToken, name)),
      internal: await cpuPerCall(pidOf(name), connections, seconds, health),
    };
  }
  floors.gateway = { graphql: await cpuPerCall(gateway.pid, connections, seconds, () => gql(`${gateway.url}/graphql`, gateway.token, NOTHING)), internal: 0 };
  return floors;
}

/**
 * Starts the services again on the same stores with debug logs and counts, per subgraph, the
 * GraphQL operations and internal calls it serves for `requests` sequential calls of `read`
 * (the gateway's own operation, one per request, is not a hop). Sequential, so that no
 * batching across requests hides a hop.
 */
export async function countHops(env, subgraphs, requests, read) {
  const lines = [];
  const services = await startServices({ ...env, LOG_LEVEL: "debug", LOG_FORMAT: "json" }, { log: (line) => lines.push(line) });
  try {
    await read(-1); // a first request fills the caches a steady load keeps warm (tokens, tenants' regions)
    lines.length = 0;
    for (let n = 0; n < requests; n += 1) await read(n);
  } finally {
    await services.stop();
  }
  const hops = Object.fromEntries(subgraphs.map((name) => [name, { graphql: 0, internal: 0 }]));
  for (const line of lines) {
    const entry = JSON.parse(line);
    const counts = hops[entry.service];
    if (!counts) continue;
    if (entry.msg === "graphql operation") counts.graphql += 1 / requests;
    if (entry.msg === "internal request") counts.internal += 1 / requests;
  }
  return hops;
}
