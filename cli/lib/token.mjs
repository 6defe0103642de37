// Minting a development client token with the embedded default's local issuer key: what
// `npm run token` and `dgg token` both do. Production tokens come from the IdP instead.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const common = require("../../packages/common/dist/index.js");

export const CLIENT_ROLES = ["operator", "tenant-admin", "privacy-officer", "data-subject", "ingest"];

/** A signed client token; honours GOVERNANCE_CLOCK_OFFSET like the services, so it is valid for a system whose clock was moved. */
export async function mintToken({ role, tenant, user, subject, ttl }) {
  if (!CLIENT_ROLES.includes(role)) throw new Error(`--role must be one of ${CLIENT_ROLES.join(", ")}, got ${JSON.stringify(role)}`);
  if (role !== "operator" && !tenant) throw new Error(`--role ${role} needs --tenant <tenant id>`);
  if (role === "data-subject" && !user) throw new Error("--role data-subject needs --user <user id>");
  const key = await common.loadPrivateKey(common.keyPathsFromEnv().issuerPrivate, "token issuer private key");
  return common.signClientToken(
    { role, subject: subject ?? (role === "data-subject" ? user : `${role}@${tenant ?? "platform"}`), tenantId: tenant ?? null, userId: user ?? null },
    key,
    common.clockFromEnv().now(),
    Number(ttl ?? 8 * 3600),
  );
}
