import { Field, ObjectType } from "type-graphql";
import { DataCategory, Region, StorageKind } from "@dgg/common";

/** One place a category of a tenant's data is kept: a kind of store in a region. */
@ObjectType("StorageLocation")
export class StorageLocation {
  @Field(() => DataCategory)
  category!: DataCategory;

  @Field(() => StorageKind)
  kind!: StorageKind;

  @Field(() => Region)
  region!: Region;
}
