import DataLoader from "dataloader";
import type { DataSource } from "typeorm";
import { decodeCursor, encodeCursor, keysetAfter, toConnection } from "@dgg/common";
import { WebhookDeliveryRecord } from "../webhooks/webhook-delivery.entity";

/** One page of one webhook's deliveries, newest first. `first` is already validated. */
export interface DeliveriesPageKey {
  webhookId: string;
  first: number;
  after: string | null;
}

export type DeliveriesPage = ReturnType<typeof toConnection<WebhookDeliveryRecord>>;

/** Keyset cursor of the newest-first order: `[createdAtMs, id]`. */
const cursorOf = (delivery: WebhookDeliveryRecord) => encodeCursor([delivery.createdAt.getTime(), delivery.id]);

/**
 * Delivery pages for every webhook a request lists, in one COUNT and one windowed query
 * (ROW_NUMBER per webhook) per distinct page arguments, however many webhooks there are.
 */
export function createWebhookDeliveriesLoader(db: DataSource): DataLoader<DeliveriesPageKey, DeliveriesPage, string> {
  return new DataLoader(
    async (keys) => {
      const counts = await countDeliveries(db, [...new Set(keys.map((key) => key.webhookId))]);
      const groups = new Map<string, DeliveriesPageKey[]>();
      for (const key of keys) {
        const group = JSON.stringify([key.first, key.after]);
        groups.set(group, [...(groups.get(group) ?? []), key]);
      }
      const pages = new Map<string, WebhookDeliveryRecord[]>();
      for (const group of groups.values()) {
        const sample = group[0]!;
        for (const row of await pageOf(db, group.map((key) => key.webhookId), sample)) {
          const slot = JSON.stringify([row.webhookId, sample.first, sample.after]);
          pages.set(slot, [...(pages.get(slot) ?? []), row]);
        }
      }
      return keys.map((key) => toConnection(pages.get(JSON.stringify([key.webhookId, key.first, key.after])) ?? [], key.first, cursorOf, counts.get(key.webhookId) ?? 0));
    },
    { cacheKeyFn: (key) => JSON.stringify([key.webhookId, key.first, key.after]) },
  );
}

async function countDeliveries(db: DataSource, webhookIds: string[]): Promise<Map<string, number>> {
  const rows: { webhook_id: string; total: string | number }[] = await db
    .getRepository(WebhookDeliveryRecord)
    .createQueryBuilder("d")
    .select("d.webhook_id", "webhook_id")
    .addSelect("COUNT(*)", "total")
    .where("d.webhook_id IN (:...webhookIds)", { webhookIds })
    .groupBy("d.webhook_id")
    .getRawMany();
  return new Map(rows.map((row) => [row.webhook_id, Number(row.total)]));
}

/** `first + 1` rows per webhook (the extra one says whether there is a next page), after the cursor. */
async function pageOf(db: DataSource, webhookIds: string[], page: DeliveriesPageKey): Promise<WebhookDeliveryRecord[]> {
  const cursor = decodeCursor(page.after, ["number", "string"]);
  const after = cursor ? ` AND ${keysetAfter("x.created_at", "x.id", "DESC", "cursorId")}` : "";
  const ranked = `SELECT w.id FROM (
      SELECT x.id, ROW_NUMBER() OVER (PARTITION BY x.webhook_id ORDER BY x.created_at DESC, x.id DESC) AS rn
      FROM webhook_delivery x WHERE x.webhook_id IN (:...webhookIds)${after}
    ) w WHERE w.rn <= :limit`;
  return db
    .getRepository(WebhookDeliveryRecord)
    .createQueryBuilder("d")
    .where(`d.id IN (${ranked})`, { webhookIds, limit: page.first + 1, at: cursor?.[0], cursorId: cursor?.[1] })
    .orderBy("d.created_at", "DESC")
    .addOrderBy("d.id", "DESC")
    .getMany();
}
