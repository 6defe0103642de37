import { Directive, Field, ObjectType } from "type-graphql";
import { Column, Entity } from "typeorm";
import { EmailAddress, ManagementState, PrimaryIdColumn, sealedEntity, TenantIdColumn, TimeColumn } from "@dgg/common";

/** A managed user's account (data category ACCOUNT). */
@Directive('@key(fields: "id")')
@ObjectType("UserAccount")
@Entity({ name: "user_account" })
export class UserAccount {
  @PrimaryIdColumn({ exposed: true })
  id!: string;

  @TenantIdColumn({ exposed: true })
  tenantId!: string;

  /** Lower-cased: principal names compare case-insensitively, unique per tenant (by `principalNameIndex`). Sealed. */
  @Field(() => String)
  @Column({ name: "user_principal_name", type: "text" })
  userPrincipalName!: string;

  /** Not in the API: the tenant-keyed blind index of the principal name, for lookups and uniqueness. */
  @Column({ name: "principal_name_index", type: "varchar", length: 64, nullable: true })
  principalNameIndex!: string | null;

  /** Sealed. */
  @Field(() => String)
  @Column({ name: "display_name", type: "text" })
  displayName!: string;

  /** Sealed. */
  @Field(() => EmailAddress, { nullable: true })
  @Column({ name: "email", type: "text", nullable: true })
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

// The account's names and address are sealed under the user's own key (docs/decisions/0044).
sealedEntity(UserAccount, {
  subject: "id",
  tenant: "tenantId",
  text: ["userPrincipalName", "displayName", "email"],
  blindIndexes: [{ of: "userPrincipalName", into: "principalNameIndex" }],
  // The id itself is stored under an alias (docs/decisions/0051).
  aliases: { id: "id" },
});
