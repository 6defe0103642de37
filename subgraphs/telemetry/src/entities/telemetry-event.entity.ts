import { Field, ObjectType } from "type-graphql";
import { Column, Entity } from "typeorm";
import { IdColumn, JsonColumn, JSONObject, PrimaryIdColumn, sealedEntity, TelemetryKind, TenantIdColumn, TimeColumn } from "@dgg/common";

/** One telemetry event about a user (data category TELEMETRY), purged 30 days after it occurred. */
@ObjectType("TelemetryEvent")
@Entity({ name: "telemetry_event" })
export class TelemetryEvent {
  @PrimaryIdColumn({ exposed: true })
  id!: string;

  @IdColumn("user_id", { exposed: true })
  userId!: string;

  /** Not in the API: kept on the row so every query can be limited to the viewer's tenant. */
  @TenantIdColumn()
  tenantId!: string;

  @Field(() => TelemetryKind)
  @Column({ name: "kind", type: "varchar", length: 32 })
  kind!: TelemetryKind;

  @Field(() => Date)
  @TimeColumn({ name: "occurred_at" })
  occurredAt!: Date;

  /** Sealed under the user's key: the column holds the JSON of the sealed string. */
  @Field(() => JSONObject)
  @JsonColumn("payload")
  payload!: Record<string, unknown>;
}

// The payload is what a device says about its user: sealed under the user's key of the event's day (docs/decisions/0044).
// One key per user and day: retention destroys a day's keys once the day expired.
// The user's id is stored under an alias (docs/decisions/0051).
sealedEntity(TelemetryEvent, { subject: "userId", tenant: "tenantId", epochOf: "occurredAt", json: ["payload"], aliases: { userId: "userId" } });
