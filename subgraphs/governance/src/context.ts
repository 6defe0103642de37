import type DataLoader from "dataloader";
import type { KeyLike } from "jose";
import type { Viewer } from "@dgg/common";
import type { LegalHoldRecord } from "./entities/legal-hold.entity";
import type { PrivacyReceiptRecord } from "./entities/privacy-receipt.entity";
import type { EngineDeps } from "./privacy/engine/engine-deps";
import type { RetentionLease } from "./retention/retention-lease";
import type { SubjectHoldings } from "./contract/personal-data-contract-client";
import type { GovernanceMetrics } from "./metrics/governance-metrics";
import type { WebhookConfig } from "./webhooks/config";
import { createHoldingsLoader } from "./loaders/holdings.loader";
import { createHoldsLoader } from "./loaders/holds.loader";
import { createReceiptsLoader } from "./loaders/receipts.loader";
import { createWebhookDeliveriesLoader } from "./loaders/webhook-deliveries.loader";
import type { DeliveriesPage, DeliveriesPageKey } from "./loaders/webhook-deliveries.loader";

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
      holdings: createHoldingsLoader(deps.contract, viewer),
      holds: createHoldsLoader(deps.db),
      receipts: createReceiptsLoader(deps.db),
      webhookDeliveries: createWebhookDeliveriesLoader(deps.db),
    },
  };
}
