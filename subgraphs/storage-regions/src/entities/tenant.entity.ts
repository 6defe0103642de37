import { Directive, Field, ObjectType } from "type-graphql";
import { Column, Entity } from "typeorm";
import { PrimaryIdColumn, Region, TimeColumn } from "@dgg/common";

/** A tenant and its storage-region election: global directory metadata, no personal data. */
@Directive('@key(fields: "id")')
@ObjectType("Tenant")
@Entity({ name: "tenant" })
export class Tenant {
  @PrimaryIdColumn({ exposed: true })
  id!: string;

  /** Unique across the platform, stored trimmed. */
  @Field(() => String)
  @Column({ name: "name", type: "varchar", length: 200 })
  name!: string;

  @Field(() => Region, {
    description: "The administrator's storage-location election; all customer data of the tenant lives there.",
  })
  @Column({ name: "storage_region", type: "varchar", length: 32 })
  storageRegion!: Region;

  /** MOVING while the tenant's data is copied to `movingTo`; data subgraphs then refuse its requests. */
  @Column({ name: "state", type: "varchar", length: 16, default: "ACTIVE" })
  state!: "ACTIVE" | "MOVING";

  @Column({ name: "moving_to", type: "varchar", length: 32, nullable: true })
  movingTo!: Region | null;

  @TimeColumn({ name: "created_at" })
  createdAt!: Date;

  /** When the tenant was created or its region was last elected. */
  @TimeColumn({ name: "updated_at" })
  updatedAt!: Date;
}
