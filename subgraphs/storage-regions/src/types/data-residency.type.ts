import { Field, ObjectType } from "type-graphql";
import { Region } from "@dgg/common";
import { StorageLocation } from "./storage-location.type";

/** Where a person's data lives: the tenant's elected region and every store in it. */
@ObjectType("DataResidency")
export class DataResidency {
  @Field(() => Region)
  region!: Region;

  @Field(() => [StorageLocation])
  locations!: StorageLocation[];
}
