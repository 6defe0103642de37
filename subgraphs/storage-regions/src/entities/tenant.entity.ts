import { Directive, Field, ID, ObjectType } from "type-graphql";
import { Column, Entity, PrimaryColumn } from "typeorm";
import { Region, TimeColumn } from "@dgg/common";

/** A tenant and its storage-region election: global directory metadata, no personal data. */
@Directive('@key(fields: "id")')
@ObjectType("Tenant")
@Entity({ name: "tenant" })
export class Tenant {
  @Field(() => ID)
  @PrimaryColumn({ type: "varchar", length: 36 })
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

  @TimeColumn({ name: "created_at" })
  createdAt!: Date;

  /** When the tenant was created or its region was last elected. */
  @TimeColumn({ name: "updated_at" })
  updatedAt!: Date;
}
