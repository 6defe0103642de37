import { Directive, Field, ID, ObjectType } from "type-graphql";

/**
 * The spine of the graph. Governance owns the root field and the tenant; each data
 * subgraph contributes its category's fields, joined by the gateway on userId.
 */
@Directive('@key(fields: "userId")')
@ObjectType("PersonalData", { description: "Everything held about one person, across all subgraphs, by category." })
export class PersonalData {
  @Field(() => ID)
  userId!: string;

  @Field(() => ID)
  tenantId!: string;
}
