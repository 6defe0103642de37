import { dataSubgraphEnvironment, runService } from "@dgg/common";
import { createAuditService } from "./server";

/** Starts the audit subgraph from environment variables (see README: Configuration). */
runService("audit", async (env, log) => createAuditService({ ...(await dataSubgraphEnvironment("audit", env)), log }));
