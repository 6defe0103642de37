import { Ctx, Directive, FieldResolver, Resolver, Root } from "type-graphql";
import { PersonalData } from "../types/personal-data.type";
import { DataResidency } from "../types/data-residency.type";
import type { StorageRegionsContext } from "../context";
import { residencyOf } from "../services/residency.service";

/** The residency share of PersonalData; the tenant comes through the per-request loader. */
@Resolver(() => PersonalData)
export class PersonalDataResolver {
  @Directive('@requires(fields: "tenantId")')
  @FieldResolver(() => DataResidency)
  residency(@Root() root: PersonalData, @Ctx() ctx: StorageRegionsContext): Promise<DataResidency> {
    return residencyOf(ctx, root);
  }
}
