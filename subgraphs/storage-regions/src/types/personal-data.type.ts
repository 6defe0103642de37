import { Directive, Field, ID, ObjectType } from "type-graphql";

/**
 * This subgraph's share of PersonalData: the residency. Governance owns the root
 * field and `tenantId`; the gateway fetches `tenantId` there and passes it in the
 * representation (`@requires`), so residency needs no call to another service.
 */
@Directive('@key(fields: "userId")')
@ObjectType("PersonalData")
export class PersonalData {
  @Field(() => ID)
  userId!: string;

  @Directive("@external")
  @Field(() => ID)
  tenantId!: string;
}
