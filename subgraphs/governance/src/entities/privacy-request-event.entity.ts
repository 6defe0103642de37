import { Column, Entity, PrimaryColumn } from "typeorm";
import { ActorColumn, JsonColumn, PrimaryIdColumn, TimeColumn, WorkerColumn } from "@dgg/common";

/**
 * The checkpoint log of a privacy request: one row per step boundary, numbered per request,
 * written in the same transaction as the checkpoint it describes. It is how an auditor (and
 * the fault-injection suite) sees that erasure began only after the archive was verified,
 * and which worker held the request at each step.
 */
@Entity({ name: "privacy_request_event" })
export class PrivacyRequestEventRecord {
  @PrimaryIdColumn({ name: "request_id" })
  requestId!: string;

  @PrimaryColumn({ name: "seq", type: "integer" })
  seq!: number;

  @TimeColumn({ name: "at" })
  at!: Date;

  @WorkerColumn("worker")
  worker!: string;

  /** Who made the step happen: the identity's subject for API actions, null for the workers' steps. */
  @ActorColumn("actor", { nullable: true })
  actor!: string | null;

  /** The request's status once the step was taken. */
  @Column({ name: "status", type: "varchar", length: 24, nullable: true })
  status!: string | null;

  /** e.g. EXPORT_STARTED, FILE_CHECKPOINT, ARCHIVE_VERIFIED, ERASE_STARTED, SUBGRAPH_ERASED, COMPLETED. */
  @Column({ name: "step", type: "varchar", length: 48 })
  step!: string;

  @JsonColumn("detail", { nullable: true })
  detail!: Record<string, unknown> | null;
}
