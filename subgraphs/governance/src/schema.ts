import { buildFederatedSchema } from "@dgg/common";
import type { FederatedSchema, ReferenceResolvers } from "@dgg/common";
import { LegalHoldResolver } from "./resolvers/legal-hold.resolver";
import { PersonalDataResolver } from "./resolvers/personal-data.resolver";
import { PrivacyRequestResolver } from "./resolvers/privacy-request.resolver";
import { RetentionResolver } from "./resolvers/retention.resolver";
import { WebhookResolver } from "./resolvers/webhook.resolver";

/**
 * The gateway only reaches governance's PersonalData through the root field, but the
 * entity must still resolve from a representation (userId + tenantId come from here).
 */
const referenceResolvers = {
  PersonalData: {
    __resolveReference: (reference: { userId: string; tenantId?: string }) => reference,
  },
} as unknown as ReferenceResolvers;

/** The governance subgraph: personalData's root, retention and legal holds, privacy requests and their webhooks. */
export function buildGovernanceSchema(): Promise<FederatedSchema> {
  return buildFederatedSchema({ resolvers: [PersonalDataResolver, PrivacyRequestResolver, RetentionResolver, LegalHoldResolver, WebhookResolver] }, referenceResolvers);
}
