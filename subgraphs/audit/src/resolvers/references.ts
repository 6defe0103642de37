import type { ReferenceResolvers } from "@dgg/common";

/**
 * Entity resolution for the gateway's `_entities` calls. PersonalData needs no lookup:
 * its only key is the user id, and every field below it goes through a loader.
 */
export const referenceResolvers = {
  PersonalData: {
    __resolveReference: (reference: { userId: string }) => ({ userId: reference.userId }),
  },
} as unknown as ReferenceResolvers;
