import { ArgsType, Field, ID } from "type-graphql";
import { Region } from "@dgg/common";

/**
 * The arguments of electStorageRegion. A class rather than two `@Arg`s because
 * type-graphql prints separate parameter decorators in reverse order, and the contract
 * says `(tenantId, region)`.
 */
@ArgsType()
export class ElectStorageRegionArgs {
  @Field(() => ID)
  tenantId!: string;

  @Field(() => Region)
  region!: Region;
}
