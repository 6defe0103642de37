import type { KeyLike } from "jose";
import { callInternal, DataCategory, GOVERNANCE_SERVICE, signInternalToken } from "@dgg/common";
import type {
  CategoryCount,
  Clock,
  ErasureResult,
  ExportPage,
  PersonalDataHoldings,
  PersonalDataSubjectsPage,
  PurgeResult,
  RetentionClockStarts,
} from "@dgg/common";

/** Erasing a million rows takes a while on a busy store; the default 60 s would report an outage. */
const ERASE_TIMEOUT_MS = 10 * 60_000;

/** A data subgraph governance drives through the internal personal-data contract. */
export interface DataSubgraph {
  name: string;
  url: string;
  categories: DataCategory[];
  /** Whether the subgraph expires rows by age (POST /internal/retention/purge). */
  purgesByAge: boolean;
}

/** The data subgraphs of this deployment. Adding one means implementing the contract and listing it here. */
export function dataSubgraphs(urls: { users: string; telemetry: string; audit: string }): DataSubgraph[] {
  return [
    { name: "users", url: urls.users, categories: [DataCategory.ACCOUNT, DataCategory.SERVICE_DATA], purgesByAge: false },
    { name: "telemetry", url: urls.telemetry, categories: [DataCategory.TELEMETRY], purgesByAge: true },
    { name: "audit", url: urls.audit, categories: [DataCategory.AUDIT_LOG], purgesByAge: true },
  ];
}

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
    private readonly signingKey: KeyLike,
    private readonly clock: Clock,
  ) {}

  private token(): Promise<string> {
    return signInternalToken(GOVERNANCE_SERVICE, this.signingKey, "dgg-governance", this.clock.now());
  }

  subgraphFor(category: DataCategory): DataSubgraph {
    const subgraph = this.subgraphs.find((candidate) => candidate.categories.includes(category));
    if (!subgraph) throw new Error(`no data subgraph holds category ${category}`);
    return subgraph;
  }

  async holdings(userId: string): Promise<SubjectHoldings> {
    const token = await this.token();
    const answers = await Promise.all(
      this.subgraphs.map((subgraph) =>
        callInternal<PersonalDataHoldings>(`${subgraph.url}/internal/personal-data/${encodeURIComponent(userId)}`, { token }),
      ),
    );
    const categories = new Map<DataCategory, { records: number; oldestAt: Date | null }>();
    let tenantId: string | null = null;
    let removedAt: Date | null = null;
    let totalRecords = 0;
    for (const answer of answers) {
      tenantId = tenantId ?? answer.tenantId;
      if (answer.removedAt) removedAt = new Date(answer.removedAt);
      for (const holding of answer.categories) {
        categories.set(holding.category, { records: holding.records, oldestAt: holding.oldestAt ? new Date(holding.oldestAt) : null });
        totalRecords += holding.records;
      }
    }
    return { userId, tenantId, removedAt, categories, totalRecords };
  }

  async exportPage(category: DataCategory, userId: string, after: string | null, limit?: number): Promise<ExportPage> {
    const subgraph = this.subgraphFor(category);
    const query = new URLSearchParams({ category });
    if (after) query.set("after", after);
    if (limit !== undefined) query.set("limit", String(limit));
    return callInternal<ExportPage>(
      `${subgraph.url}/internal/personal-data/${encodeURIComponent(userId)}/export?${query.toString()}`,
      { token: await this.token() },
    );
  }

  /** Erases (or, for audit, pseudonymises) the user in every data subgraph; idempotent. */
  async erase(userId: string, pseudonym: string): Promise<CategoryCount[]> {
    const token = await this.token();
    const results = await Promise.all(
      this.subgraphs.map((subgraph) =>
        callInternal<ErasureResult>(`${subgraph.url}/internal/personal-data/${encodeURIComponent(userId)}/erase`, {
          token,
          body: { pseudonym },
          timeoutMs: ERASE_TIMEOUT_MS,
        }),
      ),
    );
    return results.flatMap((result) => result.erased);
  }

  /** What one data subgraph holds about the user, by category. */
  async holdingsIn(subgraph: DataSubgraph, userId: string): Promise<CategoryCount[]> {
    const answer = await callInternal<PersonalDataHoldings>(`${subgraph.url}/internal/personal-data/${encodeURIComponent(userId)}`, {
      token: await this.token(),
    });
    return answer.categories.map((holding) => ({ category: holding.category, count: holding.records }));
  }

  /** Erases the user in one data subgraph; idempotent (a second call reports zeros). */
  async eraseIn(subgraph: DataSubgraph, userId: string, pseudonym: string): Promise<CategoryCount[]> {
    const result = await callInternal<ErasureResult>(`${subgraph.url}/internal/personal-data/${encodeURIComponent(userId)}/erase`, {
      token: await this.token(),
      body: { pseudonym },
      timeoutMs: ERASE_TIMEOUT_MS,
    });
    return result.erased;
  }

  /** One page of the user ids a data subgraph holds anything about. */
  async subjects(subgraph: DataSubgraph, after: string | null): Promise<PersonalDataSubjectsPage> {
    const query = after ? `?after=${encodeURIComponent(after)}` : "";
    return callInternal<PersonalDataSubjectsPage>(`${subgraph.url}/internal/personal-data-subjects${query}`, { token: await this.token() });
  }

  async purgeExpired(asOf: Date): Promise<CategoryCount[]> {
    const token = await this.token();
    const results = await Promise.all(
      this.subgraphs
        .filter((subgraph) => subgraph.purgesByAge)
        .map((subgraph) => callInternal<PurgeResult>(`${subgraph.url}/internal/retention/purge`, { token, body: { asOf: asOf.toISOString() } })),
    );
    return results.flatMap((result) => result.purged);
  }

  async usersRemovedBefore(cutoff: Date): Promise<string[]> {
    const users = this.subgraphFor(DataCategory.ACCOUNT);
    const { userIds } = await callInternal<{ userIds: string[] }>(
      `${users.url}/internal/retention/removed-users?before=${encodeURIComponent(cutoff.toISOString())}`,
      { token: await this.token() },
    );
    return userIds;
  }

  /** When the retention clock of the oldest data of each category started, across all data subgraphs. */
  async oldest(tenantId: string | null): Promise<RetentionClockStarts["oldest"]> {
    const token = await this.token();
    const query = tenantId ? `?tenantId=${encodeURIComponent(tenantId)}` : "";
    const answers = await Promise.all(
      this.subgraphs.map((subgraph) => callInternal<RetentionClockStarts>(`${subgraph.url}/internal/retention/oldest${query}`, { token })),
    );
    return answers.flatMap((answer) => answer.oldest);
  }
}
