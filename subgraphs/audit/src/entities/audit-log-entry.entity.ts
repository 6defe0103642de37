import { Field, ID, ObjectType } from "type-graphql";
import { Column, Entity } from "typeorm";
import { ActorColumn, IdColumn, JsonColumn, JSONObject, PrimaryIdColumn, sealedEntity, TenantIdColumn, TimeColumn } from "@dgg/common";
import { AuditOutcome } from "../types/audit-outcome.enum";

/** One append-only audit record (data category AUDIT_LOG); kept up to a year. */
@ObjectType("AuditLogEntry")
@Entity({ name: "audit_log_entry" })
export class AuditLogEntry {
  @PrimaryIdColumn({ exposed: true })
  id!: string;

  @TenantIdColumn({ exposed: true })
  tenantId!: string;

  /** Taken from the writer's verified identity, never from the request body. */
  @Field(() => String, { description: "Who did it: a user id, or a service name." })
  @ActorColumn("actor")
  actor!: string;

  /**
   * The actor's user id when the actor is a data subject, from the same verified identity
   * (Viewer.userId). With OIDC the actor is the IdP's `sub`, which is not the user id:
   * this column is what lets erasure, holdings and export find the person's own actions.
   * Not in the GraphQL type: the trail's readers see the actor, not the link behind it.
   */
  @IdColumn("actor_user_id", { nullable: true })
  actorUserId!: string | null;

  /** From the same verified identity: tells a service's entry from a person's, an officer's from an admin's. */
  @Field(() => String, { description: "The actor's role when it acted, e.g. tenant-admin, privacy-officer, service." })
  @Column({ name: "actor_role", type: "varchar", length: 32 })
  actorRole!: string;

  @Field(() => AuditOutcome, { description: "How the attempt ended; DENIED entries record refused access." })
  @Column({ name: "outcome", type: "varchar", length: 16, default: AuditOutcome.SUCCEEDED })
  outcome!: AuditOutcome;

  @Field(() => String, { description: "What was done, e.g. USER_CREATED, PERSONAL_DATA_READ, PROCESSING_RESTRICTED." })
  @Column({ name: "action", type: "varchar", length: 64 })
  action!: string;

  /** Free-form up to 64 characters: entries may concern a subject before it is a user id. */
  @Field(() => ID, { nullable: true, description: "Whose data it concerns, if anyone's." })
  @Column({ name: "subject_user_id", type: "varchar", length: 64, nullable: true })
  subjectUserId!: string | null;

  @Field(() => Date)
  @TimeColumn({ name: "occurred_at" })
  occurredAt!: Date;

  /** Sealed under the subject's key of the entry's day: the column holds the JSON of the sealed string. */
  @Field(() => JSONObject, { nullable: true })
  @JsonColumn("details", { nullable: true })
  details!: Record<string, unknown> | null;
}

/** The subject whose keys seal the details of entries about nobody (not a user id, never erased with one). */
export const ENTRIES_ABOUT_NOBODY = "*about-nobody*";

// The details are sealed under the subject's key of the entry's day (docs/decisions/0044): the
// person's erasure destroys it, and the purge destroys each day's keys once the day expired.
// Whose entry it is, by user id or IdP subject, is stored under aliases that the person's
// erasure destroys (0051); the pseudonym an erasure writes is not an id.
sealedEntity(AuditLogEntry, {
  subject: "subjectUserId",
  subjectWhenAbsent: ENTRIES_ABOUT_NOBODY,
  tenant: "tenantId",
  epochOf: "occurredAt",
  json: ["details"],
  aliases: { subjectUserId: "subjectUserId", actorUserId: "actorUserId", actor: "actorUserId" },
});
