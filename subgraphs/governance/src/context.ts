import DataLoader from "dataloader";
import type { KeyLike } from "jose";
import { In } from "typeorm";
import { ServiceError } from "@dgg/common";
import type { Viewer } from "@dgg/common";
import type { LegalHoldRecord } from "./entities/legal-hold.entity";
import { PrivacyReceiptRecord } from "./entities/privacy-receipt.entity";
import type { EngineDeps } from "./privacy/engine-deps";
import { activeHoldsFor } from "./services/legal-hold.service";
import type { RetentionLease } from "./services/retention-lease";
import type { SubjectHoldings } from "./services/data-subgraphs";
import type { GovernanceMetrics } from "./metrics/governance-metrics";
import type { WebhookConfig } from "./webhooks/config";
import { createWebhookDeliveriesLoader } from "./webhooks/webhook-deliveries.loader";
import type { DeliveriesPage, DeliveriesPageKey } from "./webhooks/webhook-deliveries.loader";

/** What lives for the whole process. */
export interface GovernanceDeps extends EngineDeps {
  retention: {
    lease: RetentionLease;
    /** How long an on-demand run waits for a run another replica is doing. */
    waitMs: number;
    /** The schedule's interval, or null when retention runs on demand only. */
    intervalMs: number | null;
  };
  /** Signs download links (governance's internal key). */
  linkSigningKey: KeyLike;
  /** Tells this replica's workers that a request was filed. */
  wakeWorkers(): void;
  /** URL policy and limits of webhooks (webhooks/config.ts). */
  webhooks: WebhookConfig;
  /** Governance's own Prometheus series (retention runs). */
  metrics: GovernanceMetrics;
}

/** Per request: the viewer, its forwarded identity, and loaders. */
export interface GovernanceContext extends GovernanceDeps {
  viewer: Viewer;
  token: string;
  loaders: {
    /** What the data subgraphs hold about a user; the root field and `retention` share one fetch. */
    holdings: DataLoader<string, SubjectHoldings>;
    /** The active legal hold of a user, or null. */
    holds: DataLoader<string, LegalHoldRecord | null>;
    /** Receipts by request id, one query per batch. */
    receipts: DataLoader<string, PrivacyReceiptRecord | null>;
    /** Pages of webhooks' deliveries, one windowed query per batch. */
    webhookDeliveries: DataLoader<DeliveriesPageKey, DeliveriesPage, string>;
  };
}

export function createGovernanceContext(deps: GovernanceDeps, viewer: Viewer, token: string): GovernanceContext {
  return {
    ...deps,
    viewer,
    token,
    loaders: {
      // The contract is per user, so the batch fans out one holdings call per key, in parallel.
      // Tenant-scoped viewers can only ever see their own tenant's users, so that tenant's
      // region is the one asked; a viewer without a tenant holds no subjects.
      holdings: new DataLoader((userIds) =>
        Promise.all(
          userIds.map(async (userId) => {
            const nothing: SubjectHoldings = { userId, tenantId: null, removedAt: null, categories: new Map(), totalRecords: 0 };
            if (!viewer.tenantId) return nothing;
            try {
              return await deps.contract.holdings(userId, viewer.tenantId);
            } catch (error) {
              // A token naming a tenant the directory does not know holds no subjects.
              if (error instanceof ServiceError && error.code === "NOT_FOUND") return nothing;
              throw error;
            }
          }),
        ),
      ),
      holds: new DataLoader((userIds) => activeHoldsFor(deps.db, userIds)),
      receipts: new DataLoader(async (requestIds) => {
        const rows = await deps.db.getRepository(PrivacyReceiptRecord).findBy({ requestId: In([...requestIds]) });
        const byId = new Map(rows.map((row) => [row.requestId, row]));
        return requestIds.map((requestId) => byId.get(requestId) ?? null);
      }),
      webhookDeliveries: createWebhookDeliveriesLoader(deps.db),
    },
  };
}
