import { Column, Entity } from "typeorm";
import { ActorColumn, JsonColumn, PrimaryIdColumn, TimeColumn } from "@dgg/common";
import type { CategoryCount, DataCategory } from "@dgg/common";

/** Rows removed from one category by one data subgraph during a run. */
export interface SubgraphPurge {
  subgraph: string;
  category: DataCategory;
  count: number;
}

/** A step of a run that failed; the run goes on with the other steps. */
export interface RunError {
  step: string;
  subgraph: string | null;
  message: string;
}

export type RetentionTrigger = "SCHEDULE" | "ON_DEMAND";

/** One execution of the retention rules, kept as evidence that the clocks were honoured. */
@Entity({ name: "retention_run" })
export class RetentionRunRecord {
  @PrimaryIdColumn()
  id!: string;

  @TimeColumn({ name: "started_at" })
  startedAt!: Date;

  @TimeColumn({ name: "finished_at" })
  finishedAt!: Date;

  /** Totals per category (erasures of expired users plus age-based purges). */
  @JsonColumn("purges")
  purges!: CategoryCount[];

  /** Audit entries whose link to an expired user was replaced by a pseudonym. */
  @Column({ name: "pseudonymised", type: "integer" })
  pseudonymised!: number;

  @ActorColumn("triggered_by")
  triggeredBy!: string;

  @Column({ name: "trigger", type: "varchar", length: 16, default: "ON_DEMAND" })
  trigger!: RetentionTrigger;

  @JsonColumn("subgraph_purges", { nullable: true })
  subgraphPurges!: SubgraphPurge[] | null;

  @JsonColumn("errors", { nullable: true })
  errors!: RunError[] | null;

  /** Users whose data was kept because of a legal hold. */
  @Column({ name: "held_users", type: "integer", default: 0 })
  heldUsers!: number;
}
