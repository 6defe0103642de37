import { dirname, join } from "node:path";
import type { DatabaseConfig } from "../db";
import { REGIONS } from "../enums";
import type { Region } from "../enums";
import { dataDir } from "../keys";

/**
 * Where a data subgraph keeps each region's subject keys (docs/decisions/0044): beside the
 * embedded SQLite store, in the same region folder; for PostgreSQL under
 * `DGG_SUBJECT_KEYS_DIR/<REGION>/<name>.sqlite` (default `.data/subject-keys`), a volume that
 * must sit in that region and must not be the database's, since the keys' deletion has to
 * be physical.
 */
export function subjectKeyFiles(name: string, databases: Record<Region, DatabaseConfig>, env: NodeJS.ProcessEnv = process.env): Record<Region, string> {
  const files = {} as Record<Region, string>;
  for (const region of REGIONS) {
    const config = databases[region];
    if (config.type === "sqlite") files[region] = config.file === ":memory:" ? ":memory:" : join(dirname(config.file), `${name}.subject-keys.sqlite`);
    else files[region] = join(env.DGG_SUBJECT_KEYS_DIR ?? join(dataDir(env), "subject-keys"), region, `${name}.sqlite`);
  }
  return files;
}
