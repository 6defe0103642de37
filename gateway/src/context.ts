import type { Request } from "express";
import { GraphQLError } from "graphql";
import type { ServiceLogger, Viewer } from "@dgg/common";
import type { ClientTokenVerifier } from "./auth/token-verifier";

/** Per client request: who is calling, and the internal identity minted for it (once). */
export interface GatewayContext {
  viewer: Viewer | null;
  internalToken?: Promise<string>;
}

/** Longer than any real JWT; a bigger header is refused before any parsing or crypto. */
const MAX_TOKEN_LENGTH = 16 * 1024;

function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "UNAUTHENTICATED", http: { status: 401 } } });
}

/**
 * Verifies `Authorization: Bearer <jwt>`. No header gives an anonymous context (only
 * schema introspection is then allowed, see requireAuthentication); a header that does
 * not verify is refused at once. Unverified requests are not audited (there is no actor
 * to record); they leave one line in the gateway's log, with the error's class and code
 * (never the token, its claims or the caller's address).
 */
export async function createGatewayContext(req: Request, verifier: ClientTokenVerifier, log: ServiceLogger): Promise<GatewayContext> {
  const header = req.header("authorization");
  if (!header) return { viewer: null };
  const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/i.exec(header);
  if (!match || match[1]!.length > MAX_TOKEN_LENGTH) throw unauthenticated("Authorization header must be 'Bearer <token>'");
  try {
    return { viewer: await verifier.verify(match[1]!) };
  } catch (error) {
    const code = error instanceof GraphQLError ? error.extensions.code : undefined;
    if (code === "UNAVAILABLE") throw error;
    const message = error instanceof Error ? error.message : "bearer token rejected";
    log.warn({ err: error }, "refused a bearer token");
    throw unauthenticated(message);
  }
}
