import DataLoader from "dataloader";
import type { DataSource } from "typeorm";
import type { LegalHoldRecord } from "../entities/legal-hold.entity";
import { activeHoldsFor } from "../holds/hold-queries";

/** The active legal hold of a user, or null; one query per batch. */
export function createHoldsLoader(db: DataSource): DataLoader<string, LegalHoldRecord | null> {
  return new DataLoader((userIds) => activeHoldsFor(db, userIds));
}
