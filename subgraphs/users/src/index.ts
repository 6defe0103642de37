import { dataSubgraphEnvironment, runService } from "@dgg/common";
import { createUsersService } from "./server";

/** Starts the users subgraph from environment variables (see README: Configuration). */
runService("users", async (env, log) => createUsersService({ ...(await dataSubgraphEnvironment("users", env)), log }));
