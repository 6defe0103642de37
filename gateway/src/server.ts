import { ApolloGateway } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginLandingPageDisabled, ApolloServerPluginUsageReportingDisabled } from "@apollo/server/plugin/disabled";
import { ApolloServerPluginLandingPageLocalDefault } from "@apollo/server/plugin/landingPage/default";
import { expressMiddleware } from "@as-integrations/express5";
import express from "express";
import type { KeyLike } from "jose";
import { createErrorFormatter } from "@dgg/common";
import type { Clock } from "@dgg/common";
import { createGatewayContext } from "./context";
import type { GatewayContext } from "./context";
import { mountExportDownloads } from "./export-downloads";
import { IdentityForwardingDataSource } from "./identity-forwarding";
import { requireAuthentication } from "./require-authentication";

export interface GatewayOptions {
  /** The committed, composed supergraph (schema/supergraph.graphql). */
  supergraphSdl: string;
  /** Subgraph name (as in rover.yaml) → GraphQL endpoint; overrides the supergraph's routing URLs. */
  subgraphUrls: Record<string, string>;
  issuerPublicKey: KeyLike;
  internalPrivateKey: KeyLike;
  clock: Clock;
  /** Production: no introspection, no landing page. */
  production: boolean;
  bodyLimit?: string;
  /** Governance's base URL, for the archive download links it issues (`/exports/...`). */
  governanceUrl?: string;
}

export interface Gateway {
  app: express.Express;
  stop(): Promise<void>;
}

/** Builds the gateway's HTTP app (without listening): `/graphql` and `/health`. */
export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    buildService: ({ name, url }) => {
      const target = options.subgraphUrls[name] ?? url;
      if (!target) throw new Error(`no URL for subgraph ${name}`);
      return new IdentityForwardingDataSource({ url: target }, options.internalPrivateKey, options.clock);
    },
  });
  const server = new ApolloServer<GatewayContext>({
    gateway,
    introspection: !options.production,
    includeStacktraceInErrorResponses: false,
    formatError: createErrorFormatter("gateway"),
    plugins: [
      requireAuthentication,
      ApolloServerPluginUsageReportingDisabled(),
      options.production ? ApolloServerPluginLandingPageDisabled() : ApolloServerPluginLandingPageLocalDefault({ embed: true }),
    ],
  });
  await server.start();
  const app = express();
  app.disable("x-powered-by");
  app.get("/health", (_req, res) => {
    res.json({ service: "gateway", status: "ok" });
  });
  const governanceUrl = options.governanceUrl ?? options.subgraphUrls.governance?.replace(/\/graphql$/, "");
  if (governanceUrl) {
    mountExportDownloads(app, { governanceUrl, issuerPublicKey: options.issuerPublicKey, internalPrivateKey: options.internalPrivateKey, clock: options.clock });
  }
  app.use(
    "/graphql",
    express.json({ limit: options.bodyLimit ?? "16mb" }),
    expressMiddleware(server, { context: ({ req }) => createGatewayContext(req, options.issuerPublicKey, options.clock) }),
  );
  return { app, stop: () => server.stop() };
}
