import { Field, ID, ObjectType } from "type-graphql";

/**
 * The ids that lead every governance record about one user (a privacy request, a legal
 * hold): its own, the user's and the user's tenant's. Registered as an object type only so
 * that type-graphql hands its fields on to the types that extend it; no field returns it, so
 * the schema has no UserRecord type.
 */
@ObjectType()
export abstract class UserRecord {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  userId!: string;

  @Field(() => ID)
  tenantId!: string;
}
