import { Column, Entity, PrimaryColumn } from "typeorm";
import { TimeColumn } from "@dgg/common";

/**
 * A tenant's rules for its privacy requests: which kinds wait for a second person's approval
 * before anything runs. A tenant without a row has both flags off.
 */
@Entity({ name: "privacy_request_policy" })
export class PrivacyRequestPolicyRecord {
  @PrimaryColumn({ name: "tenant_id", type: "varchar", length: 36 })
  tenantId!: string;

  @Column({ name: "erasure_requires_approval", type: "boolean" })
  erasureRequiresApproval!: boolean;

  @Column({ name: "access_requires_approval", type: "boolean" })
  accessRequiresApproval!: boolean;

  @Column({ name: "updated_by", type: "varchar", length: 256 })
  updatedBy!: string;

  @TimeColumn({ name: "updated_at" })
  updatedAt!: Date;
}
