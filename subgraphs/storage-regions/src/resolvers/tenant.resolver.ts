import { Arg, Args, Ctx, ID, Mutation, Query, Resolver } from "type-graphql";
import { Tenant } from "../entities/tenant.entity";
import { CreateTenantInput } from "../inputs/create-tenant.input";
import { ElectStorageRegionArgs } from "../inputs/elect-storage-region.args";
import type { StorageRegionsContext } from "../context";
import * as tenants from "../services/tenants.service";

@Resolver(() => Tenant)
export class TenantResolver {
  @Query(() => Tenant, { nullable: true })
  tenant(@Arg("id", () => ID) id: string, @Ctx() ctx: StorageRegionsContext): Promise<Tenant> {
    return tenants.findTenantForViewer(ctx, id, "id");
  }

  @Mutation(() => Tenant)
  createTenant(@Arg("input", () => CreateTenantInput) input: CreateTenantInput, @Ctx() ctx: StorageRegionsContext): Promise<Tenant> {
    return tenants.createTenant(ctx, input);
  }

  @Mutation(() => Tenant)
  electStorageRegion(
    @Args(() => ElectStorageRegionArgs) args: ElectStorageRegionArgs,
    @Ctx() ctx: StorageRegionsContext,
  ): Promise<Tenant> {
    return tenants.electStorageRegion(ctx, args.tenantId, args.region);
  }
}
