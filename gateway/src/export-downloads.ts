import { Readable } from "node:stream";
import type express from "express";
import type { Request, Response } from "express";
import type { KeyLike } from "jose";
import { INTERNAL_TOKEN_HEADER, signInternalToken } from "@dgg/common";
import type { Clock } from "@dgg/common";
import type { ClientTokenVerifier } from "./auth/token-verifier";
import { createGatewayContext } from "./context";

const send = (res: Response, status: number, code: string, message: string) => res.status(status).json({ error: { code, message } });

/**
 * `GET /exports/<link>[/<file>]`: the download links governance issues. The caller must
 * present its own bearer token as for /graphql; the gateway verifies it and forwards the
 * caller's identity to governance, which checks the link was issued to that identity,
 * records the download and streams the file (manifest.json when no file is named).
 */
export function mountExportDownloads(app: express.Express, options: { governanceUrl: string; verifier: ClientTokenVerifier; internalPrivateKey: KeyLike; clock: Clock }): void {
  const handler = async (req: Request, res: Response) => {
    let viewer;
    try {
      viewer = (await createGatewayContext(req, options.verifier)).viewer;
    } catch (error) {
      send(res, 401, "UNAUTHENTICATED", error instanceof Error ? error.message : "bearer token rejected");
      return;
    }
    if (!viewer) {
      send(res, 401, "UNAUTHENTICATED", "Authentication required: send 'Authorization: Bearer <token>' with the download link");
      return;
    }
    const link = encodeURIComponent(String(req.params.link));
    const file = encodeURIComponent(String(req.params.file ?? "manifest.json"));
    const token = await signInternalToken(viewer, options.internalPrivateKey, "dgg-gateway", options.clock.now());
    let upstream: globalThis.Response;
    try {
      upstream = await fetch(`${options.governanceUrl}/downloads/${link}/${file}`, { headers: { [INTERNAL_TOKEN_HEADER]: token } });
    } catch (error) {
      send(res, 503, "UNAVAILABLE", `governance is unreachable (${error instanceof Error ? error.message : String(error)})`);
      return;
    }
    res.status(upstream.status);
    // Set here too: whatever governance answers, nothing served under /exports is sniffed.
    res.setHeader("x-content-type-options", "nosniff");
    for (const header of ["content-type", "content-disposition", "content-security-policy", "x-content-type-options", "cache-control"]) {
      const value = upstream.headers.get(header);
      if (value) res.setHeader(header, value);
    }
    if (!upstream.body) {
      res.end();
      return;
    }
    // Streamed through: an archive file can be hundreds of megabytes.
    Readable.fromWeb(upstream.body).pipe(res);
  };
  app.get("/exports/:link", handler);
  app.get("/exports/:link/:file", handler);
}
