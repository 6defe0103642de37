import { CLOCK_SKEW_SECONDS, keyPathsFromEnv, loadPublicKey } from "@dgg/common";
import type { Clock, ServiceLogger } from "@dgg/common";
import { OidcVerifier } from "./oidc-verifier";
import type { OidcConfig } from "./oidc-verifier";
import { localKeyVerifier } from "./token-verifier";
import type { ClientTokenVerifier } from "./token-verifier";

function seconds(env: NodeJS.ProcessEnv, name: string, fallback: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > max) throw new Error(`${name} must be a whole number of seconds 0..${max}, got ${JSON.stringify(raw)}`);
  return value;
}

/** The OIDC settings from `AUTH_OIDC_*` and `AUTH_*_CLAIM` (README: Identity providers), or null for the embedded default. */
export function oidcConfigFromEnv(env: NodeJS.ProcessEnv = process.env): OidcConfig | null {
  const issuer = env.AUTH_OIDC_ISSUER;
  if (!issuer) return null;
  const audience = env.AUTH_OIDC_AUDIENCE;
  if (!audience) throw new Error("AUTH_OIDC_AUDIENCE is required with AUTH_OIDC_ISSUER: the audience your IdP puts in tokens for this API");
  return {
    issuer,
    audience,
    jwksUri: env.AUTH_OIDC_JWKS_URI || undefined,
    claims: {
      role: env.AUTH_ROLE_CLAIM || "role",
      tenant: env.AUTH_TENANT_CLAIM || "tid",
      user: env.AUTH_USER_CLAIM || "uid",
      subject: env.AUTH_SUBJECT_CLAIM || "sub",
    },
    clockSkewSeconds: seconds(env, "AUTH_CLOCK_SKEW_SECONDS", CLOCK_SKEW_SECONDS, 300),
    jwksMaxAgeMs: seconds(env, "AUTH_JWKS_CACHE_SECONDS", 600, 86_400) * 1000,
    jwksCooldownMs: seconds(env, "AUTH_JWKS_COOLDOWN_SECONDS", 10, 3600) * 1000,
  };
}

/** OIDC when `AUTH_OIDC_ISSUER` is set; otherwise the embedded default's local issuer key. */
export async function tokenVerifierFromEnv(env: NodeJS.ProcessEnv, clock: Clock, log: ServiceLogger): Promise<ClientTokenVerifier> {
  const oidc = oidcConfigFromEnv(env);
  if (oidc) return new OidcVerifier(oidc, clock, log);
  return localKeyVerifier(await loadPublicKey(keyPathsFromEnv(env).issuerPublic, "token issuer public key"), clock);
}
