import { Args, Ctx, Query, Resolver } from "type-graphql";
import type { AuditContext } from "../context";
import { TenantAuditLogArgs } from "../inputs/tenant-audit-log.args";
import { tenantAuditLog } from "../services/tenant-audit-log.service";
import { AuditLogConnection } from "../types/audit-log-connection.type";

@Resolver()
export class TenantAuditLogResolver {
  @Query(() => AuditLogConnection, {
    description: "The caller's tenant's audit trail, newest first (tenant-admin, privacy-officer); outcome DENIED lists refused access.",
  })
  tenantAuditLog(@Args(() => TenantAuditLogArgs) args: TenantAuditLogArgs, @Ctx() ctx: AuditContext): Promise<AuditLogConnection> {
    return tenantAuditLog(ctx, args);
  }
}
