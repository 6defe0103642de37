import type { DataSource } from "typeorm";

/** How long one store may take to answer a readiness probe before it counts as unreachable. */
const PROBE_TIMEOUT_MS = 2_000;

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * What keeps a service's stores from serving: each must be open, answer a query and have no
 * migration pending. An empty list means ready. Used by `GET /ready` (liveness stays
 * `/health`), so an orchestrator sends no traffic to a replica whose database is gone.
 */
export async function storeProblems(stores: readonly { name: string; db: DataSource }[]): Promise<string[]> {
  const problems = await Promise.all(
    stores.map(async ({ name, db }) => {
      if (!db.isInitialized) return `${name}: not open`;
      try {
        await withTimeout(db.query("SELECT 1"), name);
        if (await withTimeout(db.showMigrations(), name)) return `${name}: migrations pending`;
        return null;
      } catch (error) {
        return `${name}: ${error instanceof Error ? error.message : String(error)}`;
      }
    }),
  );
  return problems.filter((problem): problem is string => problem !== null);
}
