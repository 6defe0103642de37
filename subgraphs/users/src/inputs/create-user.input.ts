import { Field, ID, InputType } from "type-graphql";
import { EmailAddress } from "@dgg/common";

@InputType("CreateUserInput")
export class CreateUserInput {
  @Field(() => ID)
  tenantId!: string;

  @Field(() => String)
  userPrincipalName!: string;

  @Field(() => String)
  displayName!: string;

  @Field(() => EmailAddress, { nullable: true })
  email?: string | null;
}
