import { existsSync } from "node:fs";
import { join } from "node:path";
import express from "express";
import type { Request, Response } from "express";
import type { KeyLike } from "jose";
import { CLIENT_ROLES, signClientToken } from "@dgg/common";
import type { Clock, Role, ServiceLogger } from "@dgg/common";
import type { ClientTokenVerifier } from "./auth/token-verifier";
import { createGatewayContext } from "./context";

/** A tenant the development sign-in page offers, with the users it offers for it. */
export interface DevDirectoryTenant {
  id: string;
  name: string;
  storageRegion?: string;
  users: { id: string; userPrincipalName: string }[];
}

export interface ConsoleOptions {
  /** The built console (console/dist). Without it `/console` says how to build it. */
  dir: string;
  /** Production sign-in: OIDC authorization code with PKCE against this issuer, as this public client. */
  oidc?: { issuer: string; clientId: string; scope?: string };
  /**
   * The embedded default's development sign-in: tokens minted with the local issuer key.
   * Given only when the local key is the verifier's; refused when the gateway runs in production.
   */
  devSignIn?: { issuerPrivateKey: KeyLike; directory(): Promise<DevDirectoryTenant[]> };
}

const send = (res: Response, status: number, code: string, message: string) => res.status(status).json({ error: { code, message } });

/**
 * The console's Content-Security-Policy: only the gateway's own origin (the bundle has no
 * inline script or style, no external font or script), the OIDC issuer for the token
 * exchange, and never framed.
 */
export function consoleCsp(oidcIssuer?: string): string {
  const connect = ["'self'"];
  if (oidcIssuer) connect.push(new URL(oidcIssuer).origin);
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${connect.join(" ")}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/**
 * `/console`: the privacy console's files, `/console/config.json` (which sign-in applies),
 * `/console/session` (who the bearer token says the caller is, as the gateway reads it) and,
 * on the embedded default outside production only, `/console/dev-sign-in`.
 */
export function mountConsole(app: express.Express, options: ConsoleOptions & { verifier: ClientTokenVerifier; clock: Clock; production: boolean; log: ServiceLogger }): void {
  const csp = consoleCsp(options.oidc?.issuer);
  app.use("/console", (_req, res, next) => {
    res.setHeader("content-security-policy", csp);
    res.setHeader("x-content-type-options", "nosniff");
    res.setHeader("referrer-policy", "no-referrer");
    res.setHeader("x-frame-options", "DENY");
    res.setHeader("cross-origin-opener-policy", options.oidc ? "same-origin-allow-popups" : "same-origin");
    next();
  });

  app.get("/console/config.json", (_req, res) => {
    res.setHeader("cache-control", "no-store");
    if (options.oidc) {
      res.json({ signIn: "oidc", oidc: { issuer: options.oidc.issuer, clientId: options.oidc.clientId, scope: options.oidc.scope ?? "openid profile" } });
    } else if (options.devSignIn && !options.production) {
      res.json({ signIn: "development" });
    } else {
      res.json({ signIn: "unavailable", message: "No sign-in is configured for the console: set AUTH_OIDC_ISSUER, AUTH_OIDC_AUDIENCE and CONSOLE_OIDC_CLIENT_ID." });
    }
  });

  app.get("/console/session", async (req, res) => {
    res.setHeader("cache-control", "no-store");
    try {
      const { viewer } = await createGatewayContext(req, options.verifier, options.log);
      if (!viewer) {
        send(res, 401, "UNAUTHENTICATED", "Authentication required: send 'Authorization: Bearer <token>'");
        return;
      }
      res.json({ role: viewer.role, tenantId: viewer.tenantId, userId: viewer.userId, subject: viewer.subject });
    } catch (error) {
      send(res, 401, "UNAUTHENTICATED", error instanceof Error ? error.message : "bearer token rejected");
    }
  });

  // Refused with a reason where it does not apply: in production (403), and where tokens come
  // from an OIDC issuer (404: there is no local key to sign with).
  const devSignIn = options.production ? null : (options.devSignIn ?? null);
  const refused = (res: Response): boolean => {
    if (options.production) {
      send(res, 403, "FORBIDDEN", "Development sign-in is disabled when NODE_ENV=production: sign in with your identity provider (AUTH_OIDC_ISSUER, CONSOLE_OIDC_CLIENT_ID)");
      return true;
    }
    if (!devSignIn) {
      send(res, 404, "NOT_FOUND", "Development sign-in exists only on the embedded default (the local issuer key); this gateway verifies tokens from its OIDC issuer");
      return true;
    }
    return false;
  };
  app.get("/console/dev-sign-in/directory", async (_req, res) => {
    if (refused(res) || !devSignIn) return;
    res.setHeader("cache-control", "no-store");
    try {
      res.json({ roles: CLIENT_ROLES, tenants: await devSignIn.directory() });
    } catch (error) {
      send(res, 503, "UNAVAILABLE", `the demo directory could not be read (${error instanceof Error ? error.message : String(error)})`);
    }
  });
  app.post("/console/dev-sign-in", express.json({ limit: "4kb" }), async (req: Request, res: Response) => {
    if (refused(res) || !devSignIn) return;
    const body = (req.body ?? {}) as { role?: unknown; tenantId?: unknown; userId?: unknown; name?: unknown };
    const role = body.role;
    if (typeof role !== "string" || !CLIENT_ROLES.includes(role as Role)) {
      send(res, 400, "BAD_USER_INPUT", `role must be one of ${CLIENT_ROLES.join(", ")}`);
      return;
    }
    const tenantId = typeof body.tenantId === "string" && body.tenantId !== "" ? body.tenantId : null;
    const userId = typeof body.userId === "string" && body.userId !== "" ? body.userId : null;
    if (role !== "operator" && !tenantId) {
      send(res, 400, "BAD_USER_INPUT", `the ${role} role needs a tenant`);
      return;
    }
    if (role === "data-subject" && !userId) {
      send(res, 400, "BAD_USER_INPUT", "the data-subject role needs a user");
      return;
    }
    // A name tells two people of one role apart (four eyes needs two subjects); by default the role and tenant.
    const name = typeof body.name === "string" ? body.name.trim() : "";
    if (name !== "" && !/^[\w.@+-]{1,100}$/.test(name)) {
      send(res, 400, "BAD_USER_INPUT", "name must be 1 to 100 letters, digits or . _ @ + -");
      return;
    }
    const subject = role === "data-subject" ? userId! : name || `${role}@${tenantId ?? "platform"}`;
    const viewer = { role: role as Role, subject, tenantId: role === "operator" ? null : tenantId, userId: role === "data-subject" ? userId : null };
    try {
      const token = await signClientToken(viewer, devSignIn.issuerPrivateKey, options.clock.now(), 8 * 3600);
      res.setHeader("cache-control", "no-store");
      res.json({ token });
    } catch (error) {
      send(res, 400, "BAD_USER_INPUT", error instanceof Error ? error.message : String(error));
    }
  });


  const index = join(options.dir, "index.html");
  app.get("/console", (req, res, next) => {
    // Only the bare path (routing is not strict, so "/console/" lands here too).
    if (req.path !== "/console") {
      next();
      return;
    }
    res.redirect(301, "/console/");
  });
  app.use("/console", express.static(options.dir, { index: "index.html", fallthrough: true, maxAge: 0 }));
  app.use("/console", (_req, res) => {
    if (!existsSync(index)) {
      send(res, 404, "NOT_FOUND", "The console is not built: run `npm run build`");
      return;
    }
    send(res, 404, "NOT_FOUND", "No such file in the console");
  });
  // A body that is not JSON (or too large) answers like every other refusal here.
  app.use("/console", (error: unknown, _req: Request, res: Response, _next: express.NextFunction) => {
    const status = typeof (error as { status?: unknown }).status === "number" ? (error as { status: number }).status : 500;
    if (status >= 500) options.log.error({ err: error }, "console request failed");
    send(res, status, status < 500 ? "BAD_USER_INPUT" : "INTERNAL_SERVER_ERROR", status < 500 && error instanceof Error ? error.message : "the request failed; see the gateway's log");
  });
}
