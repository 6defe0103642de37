import { Field, ObjectType } from "type-graphql";
import { Column, Entity } from "typeorm";
import { JsonColumn, JSONObject, sealedEntity, TelemetryKind, TimeColumn, UserDataRow } from "@dgg/common";

/** One telemetry event about a user (data category TELEMETRY), purged 30 days after it occurred. */
@ObjectType("TelemetryEvent")
@Entity({ name: "telemetry_event" })
export class TelemetryEvent extends UserDataRow {
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
