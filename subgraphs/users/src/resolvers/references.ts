import type { ReferenceResolvers } from "@dgg/common";
import { personalDataScope } from "@dgg/common";
import type { UsersContext } from "../context";

/** Entity resolution for the gateway's `_entities` calls, all through loaders. */
export const referenceResolvers = {
  PersonalData: {
    __resolveReference: (reference: { userId: string }) => ({ userId: reference.userId }),
  },
  UserAccount: {
    __resolveReference: async (reference: { id: string }, ctx: UsersContext) => {
      const user = await ctx.loaders.user.load(reference.id);
      if (!user) return null;
      const scope = personalDataScope(ctx.viewer, user.id);
      return scope.tenantId === null || scope.tenantId === user.tenantId ? user : null;
    },
  },
} as unknown as ReferenceResolvers;
