import type { ReferenceResolvers } from "@dgg/common";

/**
 * Entity resolution for the gateway's `_entities` calls. PersonalData needs no lookup:
 * its telemetry field loads (and authorises) per request through the page loader.
 */
export const referenceResolvers = {
  PersonalData: {
    __resolveReference: (reference: { userId: string }) => ({ userId: reference.userId }),
  },
} as unknown as ReferenceResolvers;
