import { buildFederatedSchema } from "@dgg/common";
import type { FederatedSchema } from "@dgg/common";
import { Device } from "./entities/device.entity";
import { PersonalData } from "./types/personal-data.type";
import { DeviceResolver } from "./resolvers/device.resolver";
import { PersonalDataResolver } from "./resolvers/personal-data.resolver";
import { referenceResolvers } from "./resolvers/references";
import { UserAccountResolver } from "./resolvers/user-account.resolver";

/** The users subgraph: accounts (ACCOUNT) and devices (SERVICE_DATA). */
export function buildUsersSchema(): Promise<FederatedSchema> {
  return buildFederatedSchema(
    { resolvers: [UserAccountResolver, DeviceResolver, PersonalDataResolver], orphanedTypes: [Device, PersonalData] },
    referenceResolvers,
  );
}
