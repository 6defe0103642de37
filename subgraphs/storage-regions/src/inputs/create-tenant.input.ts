import { Field, InputType } from "type-graphql";
import { Region } from "@dgg/common";

@InputType("CreateTenantInput")
export class CreateTenantInput {
  @Field(() => String)
  name!: string;

  @Field(() => Region)
  storageRegion!: Region;
}
