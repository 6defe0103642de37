import { Column, Entity } from "typeorm";
import { ERROR_LENGTH, PrimaryIdColumn, TenantIdColumn, TimeColumn } from "@dgg/common";

/**
 * A removed user whose retention erasure has begun and not yet finished in every data
 * subgraph. Written before the first erase call and deleted once all have answered, so a
 * run that fails half-way (the account may already be gone from the users subgraph, which
 * is where runs find removed users) is completed by a later run. It names the user only
 * for as long as data about them may be left.
 */
@Entity({ name: "retention_erasure" })
export class RetentionErasureRecord {
  @PrimaryIdColumn({ name: "user_id" })
  userId!: string;

  @TenantIdColumn()
  tenantId!: string;

  @TimeColumn({ name: "started_at" })
  startedAt!: Date;

  @Column({ name: "attempts", type: "integer" })
  attempts!: number;

  @Column({ name: "last_error", type: "varchar", length: ERROR_LENGTH, nullable: true })
  lastError!: string | null;
}
