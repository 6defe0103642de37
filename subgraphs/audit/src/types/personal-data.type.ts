import { Directive, Field, ID, ObjectType } from "type-graphql";

/**
 * This subgraph's share of PersonalData: the audit entries that concern the user.
 * Governance owns the root field; the gateway joins the shares by userId.
 */
@Directive('@key(fields: "userId")')
@ObjectType("PersonalData")
export class PersonalData {
  @Field(() => ID)
  userId!: string;
}
