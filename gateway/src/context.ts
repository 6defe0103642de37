import type { Request } from "express";
import type { KeyLike } from "jose";
import { GraphQLError } from "graphql";
import { verifyClientToken } from "@dgg/common";
import type { Clock, Viewer } from "@dgg/common";

/** Per client request: who is calling, and the internal identity minted for it (once). */
export interface GatewayContext {
  viewer: Viewer | null;
  internalToken?: Promise<string>;
}

function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "UNAUTHENTICATED", http: { status: 401 } } });
}

/**
 * Verifies `Authorization: Bearer <jwt>`. No header gives an anonymous context (only
 * schema introspection is then allowed, see requireAuthentication); a header that does
 * not verify is refused at once.
 */
export async function createGatewayContext(req: Request, issuerKey: KeyLike, clock: Clock): Promise<GatewayContext> {
  const header = req.header("authorization");
  if (!header) return { viewer: null };
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw unauthenticated("Authorization header must be 'Bearer <token>'");
  try {
    return { viewer: await verifyClientToken(match[1]!, issuerKey, clock.now()) };
  } catch (error) {
    throw unauthenticated(error instanceof Error ? error.message : "bearer token rejected");
  }
}
