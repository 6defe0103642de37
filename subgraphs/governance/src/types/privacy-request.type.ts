import { Field, ID, Int, ObjectType } from "type-graphql";
import { DataCategory, PrivacyRequestStatus, Region } from "@dgg/common";

@ObjectType("ExportCategoryCount")
export class ExportCategoryCount {
  @Field(() => DataCategory)
  category!: DataCategory;

  @Field(() => Int)
  records!: number;
}

@ObjectType("PersonalDataExport", { description: "The electronic copy made before erasure." })
export class PersonalDataExport {
  @Field(() => Region)
  region!: Region;

  @Field(() => String, { description: "Where the archive is stored, inside the tenant's region." })
  location!: string;

  @Field(() => String)
  format!: string;

  @Field(() => String)
  sha256!: string;

  @Field(() => Int)
  byteSize!: number;

  @Field(() => [ExportCategoryCount])
  counts!: ExportCategoryCount[];

  @Field(() => Date)
  createdAt!: Date;
}

@ObjectType("ErasureCount")
export class ErasureCount {
  @Field(() => DataCategory)
  category!: DataCategory;

  @Field(() => Int)
  erased!: number;
}

@ObjectType("PrivacyRequest")
export class PrivacyRequest {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  userId!: string;

  @Field(() => ID)
  tenantId!: string;

  @Field(() => PrivacyRequestStatus)
  status!: PrivacyRequestStatus;

  @Field(() => String, { nullable: true })
  reason!: string | null;

  @Field(() => PersonalDataExport, { nullable: true })
  export!: PersonalDataExport | null;

  @Field(() => [ErasureCount])
  erasures!: ErasureCount[];

  @Field(() => String, { nullable: true })
  error!: string | null;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  completedAt!: Date | null;
}
