import { ArgsType, Field } from "type-graphql";
import { PageArgs } from "@dgg/common";
import { AuditOutcome } from "../types/audit-outcome.enum";

/** Arguments of `tenantAuditLog`: a page of the caller's tenant's trail, optionally one outcome only. */
@ArgsType()
export class TenantAuditLogArgs extends PageArgs {
  @Field(() => AuditOutcome, { nullable: true, description: "Only entries with this outcome, e.g. DENIED for refused access." })
  outcome!: AuditOutcome | null;
}
