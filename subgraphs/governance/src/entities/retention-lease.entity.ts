import { Column, Entity, PrimaryColumn } from "typeorm";
import { TimeColumn } from "@dgg/common";

/**
 * The one row that says which replica may run retention now, until when, and which
 * scheduled slot last ran. Claimed with a conditional UPDATE, so it works the same on
 * SQLite and PostgreSQL and frees itself when its holder dies (docs/decisions/0021).
 */
@Entity({ name: "retention_lease" })
export class RetentionLeaseRecord {
  @PrimaryColumn({ type: "varchar", length: 64 })
  name!: string;

  @Column({ name: "holder", type: "varchar", length: 256, nullable: true })
  holder!: string | null;

  @TimeColumn({ name: "expires_at", nullable: true })
  expiresAt!: Date | null;

  /** Start (epoch ms) of the last scheduled slot that was run, so each slot runs once across replicas. */
  @Column({ name: "last_slot", type: "bigint", nullable: true })
  lastSlot!: string | null;
}
