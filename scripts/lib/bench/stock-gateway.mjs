#!/usr/bin/env node
// A stock @apollo/gateway, for comparison in `npm run bench:gateway`: the same committed
// supergraph and the same subgraphs, no plugins, no client authentication, every fetch
// carrying one internal identity minted in advance (renewed before it expires) for the
// viewer in BENCH_VIEWER. Its own process, so its CPU can be read apart.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { ApolloGateway, RemoteGraphQLDataSource } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { ROOT } from "../processes.mjs";

const require = createRequire(import.meta.url);
const common = require(`${ROOT}/packages/common/dist/index.js`);

const env = process.env;
const viewer = JSON.parse(env.BENCH_VIEWER);
const key = await common.loadPrivateKey(common.keyPathsFromEnv(env).internalPrivate, "internal signing key");
let token = await common.signInternalToken(viewer, key, "dgg-gateway", new Date());
setInterval(async () => {
  token = await common.signInternalToken(viewer, key, "dgg-gateway", new Date());
}, 20_000).unref();

const urls = common.serviceUrlsFromEnv(env);
const byName = Object.fromEntries(common.SERVICES.map((service) => [service.name, `${urls[service.urlKey]}/graphql`]));
class PreMintedIdentity extends RemoteGraphQLDataSource {
  willSendRequest({ request }) {
    request.http.headers.set(common.INTERNAL_TOKEN_HEADER, token);
  }
}
const gateway = new ApolloGateway({
  supergraphSdl: readFileSync(join(ROOT, "schema", "supergraph.graphql"), "utf8"),
  buildService: ({ name, url }) => new PreMintedIdentity({ url: byName[name] ?? url }),
});
const server = new ApolloServer({ gateway });
const { url } = await startStandaloneServer(server, { listen: { port: Number(env.BENCH_STOCK_PORT), host: "127.0.0.1" } });
process.stdout.write(`stock gateway ready at ${url}\n`);
