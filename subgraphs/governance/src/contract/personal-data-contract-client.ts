import { callInternal, callInternalExport, DataCategory, GOVERNANCE_SERVICE } from "@dgg/common";
import type { DataSubgraph } from "./data-subgraphs";
import type {
  CategoryCount,
  ErasureResult,
  FreezeResult,
  IdentifiersResult,
  InternalTokenIssuer,
  PersonalDataHoldings,
  PersonalDataSubjectsPage,
  PurgeRequest,
  PurgeResult,
  ReceivedExportLines,
  RetentionClockStarts,
} from "@dgg/common";

/** How long governance waits for one subgraph's purge. */
const PURGE_TIMEOUT_MS = 30 * 60_000;
/** Erasing a million rows takes a while on a busy store; the default 60 s would report an outage. */
const ERASE_TIMEOUT_MS = 10 * 60_000;

/** Everything the data subgraphs hold about one user, merged. */
export interface SubjectHoldings {
  userId: string;
  tenantId: string | null;
  removedAt: Date | null;
  categories: Map<DataCategory, { records: number; oldestAt: Date | null }>;
  totalRecords: number;
}

/**
 * Client of the internal personal-data contract, calling with governance's service
 * identity. Every subgraph must answer: an outage is UNAVAILABLE, never "nothing held".
 */
export class PersonalDataContractClient {
  constructor(
    readonly subgraphs: DataSubgraph[],
    private readonly issuer: InternalTokenIssuer,
  ) {}

  /** Governance's own identity, for calls no client made (scheduled retention runs). */
  serviceToken(): Promise<string> {
    return this.token();
  }

  private token(): Promise<string> {
    return this.issuer.tokenFor(GOVERNANCE_SERVICE);
  }

  /** Every data subgraph holding `category`, in erasure order (an export file takes them in this order). */
  subgraphsFor(category: DataCategory): DataSubgraph[] {
    return this.subgraphs.filter((candidate) => candidate.categories.includes(category));
  }

  /**
   * The one data subgraph holding a category that has a role of its own: the accounts (who
   * owns a user id, who was removed when) and the audit trail (late pseudonymisation).
   */
  soleSubgraphFor(category: typeof DataCategory.ACCOUNT | typeof DataCategory.AUDIT_LOG): DataSubgraph {
    const [subgraph, ...others] = this.subgraphsFor(category);
    if (!subgraph || others.length > 0) throw new Error(`exactly one data subgraph must hold ${category}, found ${this.subgraphsFor(category).length}`);
    return subgraph;
  }

  /** What is held about the user in the tenant's region (a user's rows live only there). */
  async holdings(userId: string, tenantId: string): Promise<SubjectHoldings> {
    const token = await this.token();
    const query = `?tenantId=${encodeURIComponent(tenantId)}`;
    const answers = await Promise.all(
      this.subgraphs.map((subgraph) =>
        callInternal<PersonalDataHoldings>(`${subgraph.url}/internal/personal-data/${encodeURIComponent(userId)}${query}`, { token }),
      ),
    );
    const categories = new Map<DataCategory, { records: number; oldestAt: Date | null }>();
    let heldIn: string | null = null;
    let removedAt: Date | null = null;
    let totalRecords = 0;
    for (const answer of answers) {
      heldIn = heldIn ?? answer.tenantId;
      if (answer.removedAt) removedAt = new Date(answer.removedAt);
      // Several subgraphs may hold one category: their records add up, the oldest is the earliest.
      for (const holding of answer.categories) {
        const before = categories.get(holding.category);
        const oldestAt = holding.oldestAt ? new Date(holding.oldestAt) : null;
        categories.set(holding.category, { records: (before?.records ?? 0) + holding.records, oldestAt: earlier(before?.oldestAt ?? null, oldestAt) });
        totalRecords += holding.records;
      }
    }
    return { userId, tenantId: heldIn, removedAt, categories, totalRecords };
  }

  /** One page of what `subgraph` holds of `category` about the user, after `after` (a cursor of that subgraph's), as NDJSON. */
  async exportPage(subgraph: DataSubgraph, category: DataCategory, userId: string, tenantId: string, after: string | null, limit?: number): Promise<ReceivedExportLines> {
    const query = new URLSearchParams({ category, tenantId });
    if (after) query.set("after", after);
    if (limit !== undefined) query.set("limit", String(limit));
    return callInternalExport(
      `${subgraph.url}/internal/personal-data/${encodeURIComponent(userId)}/export?${query.toString()}`,
      { token: await this.token() },
    );
  }

  /**
   * The data subgraphs in the order a person is erased: the account goes last, so that
   * while any data is left the subject still resolves to its tenant everywhere, and the
   * identifiers the audit trail's redaction needs can still be read.
   */
  inErasureOrder(): DataSubgraph[] {
    return [...this.subgraphs].sort((a, b) => a.eraseOrder - b.eraseOrder);
  }

  /**
   * The same order in waves: the subgraphs of one erase order, which depend on none of each
   * other's data and may be erased at the same time (telemetry's delete and the audit
   * trail's pseudonymisation), then the next order.
   */
  inErasureWaves(): DataSubgraph[][] {
    const waves: DataSubgraph[][] = [];
    for (const subgraph of this.inErasureOrder()) {
      const last = waves.at(-1);
      if (last && last[0]!.eraseOrder === subgraph.eraseOrder) last.push(subgraph);
      else waves.push([subgraph]);
    }
    return waves;
  }

  /** The data subgraphs that expire rows by age. */
  get ageBased(): DataSubgraph[] {
    return this.subgraphs.filter((subgraph) => subgraph.purgesByAge);
  }

  /** What one data subgraph holds about the user in the tenant's region, by category. */
  async holdingsIn(subgraph: DataSubgraph, userId: string, tenantId: string): Promise<CategoryCount[]> {
    const answer = await callInternal<PersonalDataHoldings>(
      `${subgraph.url}/internal/personal-data/${encodeURIComponent(userId)}?tenantId=${encodeURIComponent(tenantId)}`,
      { token: await this.token() },
    );
    return answer.categories.map((holding) => ({ category: holding.category, count: holding.records }));
  }

  /** Erases the user in one data subgraph (the tenant's region); idempotent (a second call reports zeros). */
  async eraseIn(subgraph: DataSubgraph, userId: string, tenantId: string, pseudonym: string, identifiers?: string[]): Promise<CategoryCount[]> {
    const result = await callInternal<ErasureResult>(`${subgraph.url}/internal/personal-data/${encodeURIComponent(userId)}/erase`, {
      token: await this.token(),
      body: eraseBody(pseudonym, tenantId, identifiers),
      timeoutMs: ERASE_TIMEOUT_MS,
    });
    return result.erased;
  }

  /** One page of the user ids (with their tenants) a data subgraph holds anything about, across all its regions. */
  async subjects(subgraph: DataSubgraph, after: string | null): Promise<PersonalDataSubjectsPage> {
    const query = after ? `?after=${encodeURIComponent(after)}` : "";
    return callInternal<PersonalDataSubjectsPage>(`${subgraph.url}/internal/personal-data-subjects${query}`, { token: await this.token() });
  }

  /**
   * Asks one subgraph to purge what expired as of `asOf`, keeping held users' rows. A large
   * backlog may take minutes (a first run over a year of data), hence the long time-out.
   */
  async purgeExpired(subgraph: DataSubgraph, asOf: Date, heldUserIds: string[]): Promise<CategoryCount[]> {
    const body: PurgeRequest = { asOf: asOf.toISOString(), heldUserIds };
    const result = await callInternal<PurgeResult>(`${subgraph.url}/internal/retention/purge`, {
      token: await this.token(),
      body,
      timeoutMs: PURGE_TIMEOUT_MS,
    });
    return result.purged;
  }

  async usersRemovedBefore(cutoff: Date): Promise<{ userId: string; tenantId: string }[]> {
    const users = this.soleSubgraphFor(DataCategory.ACCOUNT);
    const answer = await callInternal<{ users: { userId: string; tenantId: string }[] }>(
      `${users.url}/internal/retention/removed-users?before=${encodeURIComponent(cutoff.toISOString())}`,
      { token: await this.token() },
    );
    return answer.users;
  }

  /** When the retention clock of the oldest data of each category started, across all data subgraphs. */
  async oldest(tenantId: string | null, excludeUserIds: string[] = []): Promise<RetentionClockStarts["oldest"]> {
    const token = await this.token();
    // A body, not a query string: hundreds of held ids overflow Node's header limit.
    const body: { tenantId?: string; exclude: string[] } = { exclude: excludeUserIds };
    if (tenantId) body.tenantId = tenantId;
    const answers = await Promise.all(
      this.subgraphs.map((subgraph) => callInternal<RetentionClockStarts>(`${subgraph.url}/internal/retention/oldest`, { token, body })),
    );
    return answers.flatMap((answer) => answer.oldest);
  }

  /**
   * Freezes the user in one data subgraph on behalf of a privacy request (GDPR Art. 18):
   * it then takes no new personal data about them. Idempotent; false where the subgraph keeps
   * no freezes (audit).
   */
  async freeze(subgraph: DataSubgraph, userId: string, tenantId: string, requestId: string): Promise<boolean> {
    const result = await callInternal<FreezeResult>(`${subgraph.url}/internal/personal-data/${encodeURIComponent(userId)}/freeze`, {
      token: await this.token(),
      body: { tenantId, requestId },
    });
    return result.frozen;
  }

  /** Lifts the request's freeze of the user in one data subgraph; idempotent. */
  async unfreeze(subgraph: DataSubgraph, userId: string, tenantId: string, requestId: string): Promise<boolean> {
    const result = await callInternal<FreezeResult>(`${subgraph.url}/internal/personal-data/${encodeURIComponent(userId)}/unfreeze`, {
      token: await this.token(),
      body: { tenantId, requestId },
    });
    return result.frozen;
  }

  /** Every clear-text value naming the user that any data subgraph holds, distinct, in the subgraphs' order. */
  async identifiers(userId: string, tenantId: string): Promise<string[]> {
    const token = await this.token();
    const answers = await Promise.all(
      this.subgraphs.map((subgraph) =>
        callInternal<IdentifiersResult>(
          `${subgraph.url}/internal/personal-data/${encodeURIComponent(userId)}/identifiers?tenantId=${encodeURIComponent(tenantId)}`,
          { token },
        ),
      ),
    );
    return [...new Set(answers.flatMap((answer) => answer.identifiers))];
  }

  /** The tenant that holds a user id in any region (for addressing the audit of a refusal), or null. */
  async ownerOf(userId: string): Promise<string | null> {
    const users = this.soleSubgraphFor(DataCategory.ACCOUNT);
    const { tenantId } = await callInternal<{ tenantId: string | null }>(`${users.url}/internal/users/${encodeURIComponent(userId)}/owner`, {
      token: await this.token(),
    });
    return tenantId;
  }
}

function earlier(a: Date | null, b: Date | null): Date | null {
  if (!a || !b) return a ?? b;
  return a.getTime() <= b.getTime() ? a : b;
}

/** An erase body; `identifiers` only when given, so older subgraphs see the body they know. */
function eraseBody(pseudonym: string, tenantId: string, identifiers: string[] | undefined): { pseudonym: string; tenantId: string; identifiers?: string[] } {
  return identifiers === undefined ? { pseudonym, tenantId } : { pseudonym, tenantId, identifiers };
}
