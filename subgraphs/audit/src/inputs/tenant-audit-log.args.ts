import { ArgsType, Field, Int } from "type-graphql";
import { AuditOutcome } from "../types/audit-outcome.enum";

/** Arguments of `tenantAuditLog`: a page of the caller's tenant's trail, optionally one outcome only. */
@ArgsType()
export class TenantAuditLogArgs {
  @Field(() => Int, { nullable: true, defaultValue: 50 })
  first!: number | null;

  @Field(() => String, { nullable: true })
  after!: string | null;

  @Field(() => AuditOutcome, { nullable: true, description: "Only entries with this outcome, e.g. DENIED for refused access." })
  outcome!: AuditOutcome | null;
}
