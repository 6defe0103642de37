import { Arg, Ctx, ID, Mutation, Query, Resolver } from "type-graphql";
import { UserAccount } from "../entities/user-account.entity";
import { CreateUserInput } from "../inputs/create-user.input";
import type { UsersContext } from "../context";
import * as accounts from "../services/user-accounts.service";

@Resolver(() => UserAccount)
export class UserAccountResolver {
  @Query(() => UserAccount, { nullable: true, description: "A user of the caller's tenant, by principal name." })
  userByPrincipalName(
    @Arg("userPrincipalName", () => String) userPrincipalName: string,
    @Ctx() ctx: UsersContext,
  ): Promise<UserAccount> {
    return accounts.userByPrincipalName(ctx, userPrincipalName);
  }

  @Mutation(() => UserAccount)
  createUser(@Arg("input", () => CreateUserInput) input: CreateUserInput, @Ctx() ctx: UsersContext): Promise<UserAccount> {
    return accounts.createUser(ctx, input);
  }

  @Mutation(() => UserAccount, { description: "Starts the 30-day retention clock for the user's personal data." })
  removeUserFromManagement(@Arg("user", () => ID) user: string, @Ctx() ctx: UsersContext): Promise<UserAccount> {
    return accounts.removeUserFromManagement(ctx, user);
  }
}
