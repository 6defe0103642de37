import type { DataSource } from "typeorm";
import { truncateWriteAheadLog } from "./db";
import type { DataCategory } from "./enums";
import { BadUserInputError, quote } from "./errors";
import {
  assertServiceIdentity,
  parseContractLimit,
  parseHeldUserIds,
  parseIdentifiers,
  parsePurgeRequest,
} from "./personal-data-contract";
import type {
  CategoryCount,
  ErasureResult,
  ExportPage,
  FreezeResult,
  IdentifiersResult,
  PersonalDataHoldings,
  PurgeResult,
  RetentionClockStarts,
} from "./personal-data-contract";
import { frozenInTenant, liftFreeze, placeFreeze } from "./personal-data-freeze";
import { personalDataSubjectsRoute } from "./personal-data-subjects";
import type { RegionalStores } from "./regional-stores";
import { storeForTenant } from "./store-for-viewer";
import { RawAnswer } from "./subgraph-server";
import type { InternalRoute } from "./subgraph-server";
import { EXPORT_CONTENT_TYPE, exportHeaders, exportLinesOf } from "./export-lines";
import type { ExportLines } from "./export-lines";
import type { Clock } from "./clock";
import type { TenantRegionDirectory } from "./tenant-regions";
import { assertId } from "./validation";

/** The store of the tenant a contract call names, resolved through the region directory. */
export interface TenantStore {
  tenantId: string;
  db: DataSource;
}

/** What an erase call asks of a subgraph. */
export interface ErasureOrder {
  /** The random name audit entries are re-keyed to; absent for subgraphs that delete. */
  pseudonym?: string;
  /** Clear-text values naming the person (from every subgraph's `identifiers`). */
  identifiers: string[];
}

/** Where a subgraph keeps GDPR Art. 18 freezes; `sqlFreezeStore` is the common table. */
export interface PersonalDataFreezeStore {
  place(db: DataSource, freeze: { userId: string; tenantId: string; requestId: string; at: Date }): Promise<void>;
  lift(db: DataSource, freeze: { userId: string; requestId: string }): Promise<void>;
  /** Whether any request still freezes the user in the tenant. */
  isFrozen(db: DataSource, tenantId: string, userId: string): Promise<boolean>;
}

/** The `personal_data_freeze` table of packages/common (migration `CreatePersonalDataFreeze1737000000000`). */
export const sqlFreezeStore: PersonalDataFreezeStore = {
  place: placeFreeze,
  lift: liftFreeze,
  isFrozen: async (db, tenantId, userId) => (await frozenInTenant(db, tenantId, [userId])).size > 0,
};

/**
 * A data subgraph's side of the personal-data contract (docs/decisions/0002), without any
 * HTTP: `personalDataContractRoutes` checks the caller, parses every argument and resolves
 * the tenant's regional store before calling it.
 */
export interface PersonalDataAdapter {
  /** The subgraph's name, for messages. */
  name: string;
  /** The categories it holds; an export of any other is BAD_USER_INPUT. */
  categories: readonly DataCategory[];
  /** SELECTs yielding `subject` and `tenant` columns: every user id held (personal-data-subjects.ts). */
  subjectSources: readonly string[];
  /** What is held about the user in the tenant's store (`userId` is added by the route). */
  holdings(store: TenantStore, userId: string): Promise<Omit<PersonalDataHoldings, "userId">>;
  /**
   * One export page of `category` (one of `categories`): records, or the records already
   * serialised as NDJSON (export-lines.ts) where building objects would cost (a large category).
   */
  exportPage(store: TenantStore, userId: string, category: DataCategory, after: string | undefined, limit: number): Promise<ExportPage | ExportLines>;
  /** Erases (or pseudonymises) the user; idempotent, a second call reports zeros. */
  erase(store: TenantStore, userId: string, order: ErasureOrder): Promise<CategoryCount[]>;
  /** Purges what expired as of `asOf`, keeping held users' rows; absent for subgraphs that do not purge by age. */
  purge?(asOf: Date, heldUserIds: string[]): Promise<CategoryCount[]>;
  /** When the retention clock of the oldest data of each category started, in `stores` (tenant-scoped when `tenantId` is set). */
  oldest(stores: DataSource[], tenantId: string | null, exclude: string[]): Promise<RetentionClockStarts["oldest"]>;
  /** Clear-text values this subgraph holds that identify the person. */
  identifiers(store: TenantStore, userId: string): Promise<string[]>;
  /** Where freezes are kept; without one the subgraph answers `{frozen: false}` and keeps taking writes. */
  freezes?: PersonalDataFreezeStore;
  /** The subgraph's extra erase-body check (e.g. audit requires a pseudonym), run before the tenant is resolved. */
  checkErasure?(userId: string, order: ErasureOrder): void;
}

/** What the contract routes need besides the adapter. */
export interface PersonalDataContractDeps {
  stores: RegionalStores;
  regions: TenantRegionDirectory;
  clock: Clock;
}

function bodyOf(body: unknown): Record<string, unknown> {
  return body !== null && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

function parsePseudonymField(raw: unknown): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== "string") throw new BadUserInputError(`pseudonym must be a string, got ${quote(raw)}`, "pseudonym");
  return raw;
}

function parseRequestId(raw: unknown): string {
  if (typeof raw !== "string") throw new BadUserInputError(`requestId is required, got ${quote(raw)}`, "requestId");
  return assertId(raw, "requestId");
}

/**
 * Every route of the internal personal-data contract (listed in personal-data-contract.ts)
 * for one data subgraph, built once here so that all subgraphs check the service identity,
 * parse arguments and address regional stores the same way. Subgraph-specific extra routes
 * are added beside these by the subgraph.
 */
export function personalDataContractRoutes(adapter: PersonalDataAdapter, deps: PersonalDataContractDeps): InternalRoute[] {
  const tenantStore = (tenantId: unknown, token: string): Promise<TenantStore> => storeForTenant(deps.stores, deps.regions, tenantId, token);
  const userOf = (params: Record<string, string>) => assertId(params.userId!, "userId");
  const routes: InternalRoute[] = [
    // Every user id held here, for the erasure-ledger replay.
    personalDataSubjectsRoute(() => deps.stores, adapter.subjectSources),
    {
      method: "get",
      path: "/personal-data/:userId",
      async handler({ viewer, params, query, token }): Promise<PersonalDataHoldings> {
        assertServiceIdentity(viewer);
        const userId = userOf(params);
        const held = await adapter.holdings(await tenantStore(query.tenantId, token), userId);
        return { userId, ...held };
      },
    },
    {
      method: "get",
      path: "/personal-data/:userId/export",
      async handler({ viewer, params, query, token }): Promise<RawAnswer> {
        assertServiceIdentity(viewer);
        const userId = userOf(params);
        const category = adapter.categories.find((candidate) => candidate === query.category);
        if (!category) {
          const held = adapter.categories.length === 1 ? `${adapter.categories[0]} only` : adapter.categories.join(" and ");
          throw new BadUserInputError(`${adapter.name} holds ${held}, not ${quote(query.category)}`, "category");
        }
        const limit = parseContractLimit(query.limit);
        const page = await adapter.exportPage(await tenantStore(query.tenantId, token), userId, category, query.after, limit);
        const lines = "ndjson" in page ? page : exportLinesOf(page);
        return new RawAnswer(EXPORT_CONTENT_TYPE, lines.ndjson, exportHeaders(lines));
      },
    },
    {
      method: "post",
      path: "/personal-data/:userId/erase",
      async handler({ viewer, params, body, token }): Promise<ErasureResult> {
        assertServiceIdentity(viewer);
        const userId = userOf(params);
        const raw = bodyOf(body);
        const order: ErasureOrder = { pseudonym: parsePseudonymField(raw.pseudonym), identifiers: parseIdentifiers(raw.identifiers) };
        adapter.checkErasure?.(userId, order);
        const store = await tenantStore(raw.tenantId, token);
        const erased = await adapter.erase(store, userId, order);
        // Then the key: whatever of the person's sealed content survives the delete (PostgreSQL's
        // WAL and dead tuples, backups) can no longer be opened (docs/decisions/0044). And the
        // aliases their ids are stored under (0051), unless a request still freezes them here:
        // the freeze row is found through the alias, and must keep turning late writes away
        // until the request ends; the unfreeze then destroys them.
        const frozen = (await adapter.freezes?.isFrozen(store.db, store.tenantId, userId)) ?? false;
        deps.stores.keysOf(store.db).destroy(store.tenantId, [userId], { aliases: !frozen });
        await releaseDeletedBytes();
        return { erased };
      },
    },
    {
      method: "post",
      path: "/personal-data/:userId/freeze",
      async handler({ viewer, params, body, token }): Promise<FreezeResult> {
        assertServiceIdentity(viewer);
        const { userId, requestId, store } = await freezeOrder(params, body, token);
        if (!adapter.freezes) return { frozen: false };
        await adapter.freezes.place(store.db, { userId, tenantId: store.tenantId, requestId, at: deps.clock.now() });
        return { frozen: true };
      },
    },
    {
      method: "post",
      path: "/personal-data/:userId/unfreeze",
      async handler({ viewer, params, body, token }): Promise<FreezeResult> {
        assertServiceIdentity(viewer);
        const { userId, requestId, store } = await freezeOrder(params, body, token);
        await adapter.freezes?.lift(store.db, { userId, requestId });
        // A user neither frozen nor holding anything here any more (the request erased them)
        // loses the aliases the erasure kept for the freeze (docs/decisions/0051).
        if (adapter.freezes && !(await adapter.freezes.isFrozen(store.db, store.tenantId, userId))) {
          const held = await adapter.holdings(store, userId);
          if (held.categories.every((category) => category.records === 0)) deps.stores.keysOf(store.db).destroy(store.tenantId, [userId], { keys: false });
        }
        // The freeze row names the user: gone from the log too.
        await truncateWriteAheadLog(store.db);
        // Another request's freeze may remain; this answer is about `requestId` only.
        return { frozen: false };
      },
    },
    {
      method: "get",
      path: "/personal-data/:userId/identifiers",
      async handler({ viewer, params, query, token }): Promise<IdentifiersResult> {
        assertServiceIdentity(viewer);
        const userId = userOf(params);
        return { identifiers: await adapter.identifiers(await tenantStore(query.tenantId, token), userId) };
      },
    },
    {
      method: "post",
      path: "/retention/oldest",
      async handler({ viewer, body, token }): Promise<RetentionClockStarts> {
        assertServiceIdentity(viewer);
        const raw = bodyOf(body);
        const scoped = raw.tenantId === undefined || raw.tenantId === null || raw.tenantId === "" ? null : await tenantStore(raw.tenantId, token);
        // Held users' data is not purged on schedule, so it does not set the next purge date.
        const exclude = parseHeldUserIds(raw.exclude ?? [], "exclude");
        const stores = scoped ? [scoped.db] : deps.stores.entries().map(([, db]) => db);
        return { oldest: await adapter.oldest(stores, scoped?.tenantId ?? null, exclude) };
      },
    },
  ];
  /** The user, request and tenant store a freeze or unfreeze call names. */
  async function freezeOrder(params: Record<string, string>, body: unknown, token: string) {
    const raw = bodyOf(body);
    return { userId: userOf(params), requestId: parseRequestId(raw.requestId), store: await tenantStore(raw.tenantId, token) };
  }

  /** Every regional store (an audit erasure rewrites all of them), with its log truncated. */
  async function releaseDeletedBytes(): Promise<void> {
    await Promise.all(deps.stores.entries().map(([, db]) => truncateWriteAheadLog(db)));
  }
  const purge = adapter.purge?.bind(adapter);
  if (purge) {
    routes.push({
      method: "post",
      path: "/retention/purge",
      async handler({ viewer, body }): Promise<PurgeResult> {
        assertServiceIdentity(viewer);
        const { asOf, heldUserIds } = parsePurgeRequest(body);
        const purged = await purge(asOf, heldUserIds);
        await releaseDeletedBytes();
        return { purged };
      },
    });
  }
  return routes;
}
