import { Column, Entity } from "typeorm";
import { ActorColumn, PrimaryIdColumn, TimeColumn } from "@dgg/common";

/**
 * A tenant's rules for its privacy requests: which kinds wait for a second person's approval
 * before anything runs. A tenant without a row has both flags off.
 */
@Entity({ name: "privacy_request_policy" })
export class PrivacyRequestPolicyRecord {
  @PrimaryIdColumn({ name: "tenant_id" })
  tenantId!: string;

  @Column({ name: "erasure_requires_approval", type: "boolean" })
  erasureRequiresApproval!: boolean;

  @Column({ name: "access_requires_approval", type: "boolean" })
  accessRequiresApproval!: boolean;

  @ActorColumn("updated_by")
  updatedBy!: string;

  @TimeColumn({ name: "updated_at" })
  updatedAt!: Date;
}
