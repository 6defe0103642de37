import { Directive, Field, ID, ObjectType } from "type-graphql";
import { Column, Entity, PrimaryColumn } from "typeorm";
import { TimeColumn } from "@dgg/common";

/** A device enrolled in management for a user (data category SERVICE_DATA). */
@Directive('@key(fields: "id")')
@ObjectType("Device")
@Entity({ name: "device" })
export class Device {
  @Field(() => ID)
  @PrimaryColumn({ type: "varchar", length: 36 })
  id!: string;

  @Field(() => ID)
  @Column({ name: "user_id", type: "varchar", length: 36 })
  userId!: string;

  /** Not in the API: kept on the row so every query can be limited to the viewer's tenant. */
  @Column({ name: "tenant_id", type: "varchar", length: 36 })
  tenantId!: string;

  @Field(() => String)
  @Column({ name: "device_name", type: "varchar", length: 256 })
  deviceName!: string;

  @Field(() => String)
  @Column({ name: "operating_system", type: "varchar", length: 128 })
  operatingSystem!: string;

  @Field(() => String, { nullable: true })
  @Column({ name: "serial_number", type: "varchar", length: 128, nullable: true })
  serialNumber!: string | null;

  @Field(() => Date)
  @TimeColumn({ name: "enrolled_at" })
  enrolledAt!: Date;
}
