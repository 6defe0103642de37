import { Directive, Field, ObjectType } from "type-graphql";
import { Column, Entity } from "typeorm";
import { sealedEntity, TimeColumn, UserDataRow } from "@dgg/common";

/** A device enrolled in management for a user (data category SERVICE_DATA). */
@Directive('@key(fields: "id")')
@ObjectType("Device")
@Entity({ name: "device" })
export class Device extends UserDataRow {
  /** Sealed: free text an admin types, often "<name>'s iPhone". */
  @Field(() => String)
  @Column({ name: "device_name", type: "text" })
  deviceName!: string;

  @Field(() => String)
  @Column({ name: "operating_system", type: "varchar", length: 128 })
  operatingSystem!: string;

  /** Sealed. */
  @Field(() => String, { nullable: true })
  @Column({ name: "serial_number", type: "text", nullable: true })
  serialNumber!: string | null;

  @Field(() => Date)
  @TimeColumn({ name: "enrolled_at" })
  enrolledAt!: Date;
}

// A device's name and serial are sealed under its user's key (docs/decisions/0044); its id
// and its user's are stored under aliases that the user's erasure destroys (0051).
sealedEntity(Device, { subject: "userId", tenant: "tenantId", text: ["deviceName", "serialNumber"], aliases: { id: "userId", userId: "userId" } });
