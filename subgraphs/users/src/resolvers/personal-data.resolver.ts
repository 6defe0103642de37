import { Args, Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import { PageArgs, parseFirst, personalDataScope } from "@dgg/common";
import { UserAccount } from "../entities/user-account.entity";
import { PersonalData } from "../types/personal-data.type";
import { DeviceConnection } from "../types/device-connection.type";
import type { UsersContext } from "../context";

/** The account and devices shares of PersonalData, each through a per-request loader. */
@Resolver(() => PersonalData)
export class PersonalDataResolver {
  @FieldResolver(() => UserAccount, { nullable: true })
  async account(@Root() root: PersonalData, @Ctx() ctx: UsersContext): Promise<UserAccount | null> {
    const scope = personalDataScope(ctx.viewer, root.userId);
    const user = await ctx.loaders.user.load(root.userId);
    if (!user || (scope.tenantId !== null && user.tenantId !== scope.tenantId)) return null;
    return user;
  }

  @FieldResolver(() => DeviceConnection)
  devices(
    @Root() root: PersonalData,
    @Ctx() ctx: UsersContext,
    @Args(() => PageArgs) { first, after }: PageArgs,
  ): Promise<DeviceConnection> {
    const scope = personalDataScope(ctx.viewer, root.userId);
    return ctx.loaders.devicesPage.load({ userId: root.userId, tenantId: scope.tenantId, first: parseFirst(first), after: after ?? null });
  }
}
