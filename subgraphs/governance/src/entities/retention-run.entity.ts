import { Column, Entity, PrimaryColumn } from "typeorm";
import { TimeColumn } from "@dgg/common";
import type { CategoryCount } from "@dgg/common";

/** One execution of the retention rules, kept as evidence that the clocks were honoured. */
@Entity({ name: "retention_run" })
export class RetentionRunRecord {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id!: string;

  @TimeColumn({ name: "started_at" })
  startedAt!: Date;

  @TimeColumn({ name: "finished_at" })
  finishedAt!: Date;

  @Column({ name: "purges", type: "simple-json" })
  purges!: CategoryCount[];

  /** Audit entries whose link to an expired user was replaced by a pseudonym. */
  @Column({ name: "pseudonymised", type: "integer" })
  pseudonymised!: number;

  @Column({ name: "triggered_by", type: "varchar", length: 256 })
  triggeredBy!: string;
}
