import DataLoader from "dataloader";
import { In } from "typeorm";
import type { DataSource } from "typeorm";
import { PrivacyReceiptRecord } from "../entities/privacy-receipt.entity";

/** Receipts by request id, one query per batch. */
export function createReceiptsLoader(db: DataSource): DataLoader<string, PrivacyReceiptRecord | null> {
  return new DataLoader(async (requestIds) => {
    const rows = await db.getRepository(PrivacyReceiptRecord).findBy({ requestId: In([...requestIds]) });
    const byId = new Map(rows.map((row) => [row.requestId, row]));
    return requestIds.map((requestId) => byId.get(requestId) ?? null);
  });
}
