import { Directive, Field, ID, ObjectType } from "type-graphql";
import { Column, Entity, PrimaryColumn } from "typeorm";
import { EmailAddress, ManagementState, TimeColumn } from "@dgg/common";

/** A managed user's account (data category ACCOUNT). */
@Directive('@key(fields: "id")')
@ObjectType("UserAccount")
@Entity({ name: "user_account" })
export class UserAccount {
  @Field(() => ID)
  @PrimaryColumn({ type: "varchar", length: 36 })
  id!: string;

  @Field(() => ID)
  @Column({ name: "tenant_id", type: "varchar", length: 36 })
  tenantId!: string;

  /** Stored lower-cased: principal names compare case-insensitively, unique per tenant. */
  @Field(() => String)
  @Column({ name: "user_principal_name", type: "varchar", length: 320 })
  userPrincipalName!: string;

  @Field(() => String)
  @Column({ name: "display_name", type: "varchar", length: 256 })
  displayName!: string;

  @Field(() => EmailAddress, { nullable: true })
  @Column({ name: "email", type: "varchar", length: 320, nullable: true })
  email!: string | null;

  @Field(() => ManagementState)
  @Column({ name: "management_state", type: "varchar", length: 16 })
  managementState!: ManagementState;

  /** Starts the 30-day retention clock. */
  @Field(() => Date, { nullable: true })
  @TimeColumn({ name: "removed_at", nullable: true })
  removedAt!: Date | null;

  @Field(() => Date)
  @TimeColumn({ name: "created_at" })
  createdAt!: Date;
}
