import { pipeline, Readable } from "node:stream";
import type express from "express";
import type { Request, Response } from "express";
import { INTERNAL_TOKEN_HEADER, requestIdHeaders } from "@dgg/common";
import type { InternalTokenIssuer, ServiceLogger } from "@dgg/common";
import type { ClientTokenVerifier } from "./auth/token-verifier";
import { createGatewayContext } from "./context";

const send = (res: Response, status: number, code: string, message: string) => res.status(status).json({ error: { code, message } });

/** Headers of governance's answer that reach the client: what it is, how to save it, and what it may not do. */
const FORWARDED_HEADERS = ["content-type", "content-disposition", "content-security-policy", "x-content-type-options", "cache-control"];

/**
 * Where governance serves what the client asked for: a file (manifest.json when none is
 * named), or with `?format=` the whole archive. The format is passed on as given (once):
 * governance, which knows the formats, refuses an unknown one with BAD_USER_INPUT.
 */
function upstreamPath(req: Request): string | { invalid: string } {
  const link = encodeURIComponent(String(req.params.link));
  const format: unknown = req.query.format;
  if (format !== undefined && typeof format !== "string") return { invalid: `format must be given once, got ${JSON.stringify(format)}` };
  const query = format === undefined ? "" : `?format=${encodeURIComponent(format)}`;
  if (req.params.file !== undefined) return `/downloads/${link}/${encodeURIComponent(String(req.params.file))}${query}`;
  return format === undefined ? `/downloads/${link}/manifest.json` : `/downloads/${link}${query}`;
}

/**
 * `GET /exports/<link>[/<file>]` and `GET /exports/<link>?format=zip`: the download links
 * governance issues. The caller must present its own bearer token as for /graphql; the
 * gateway verifies it and forwards the caller's identity to governance, which checks the
 * link was issued to that identity, records the download and streams the file
 * (manifest.json when no file is named) or the whole archive as one zip.
 */
export function mountExportDownloads(
  app: express.Express,
  options: { governanceUrl: string; verifier: ClientTokenVerifier; tokens: InternalTokenIssuer; log: ServiceLogger },
): void {
  const handler = async (req: Request, res: Response) => {
    let viewer;
    try {
      viewer = (await createGatewayContext(req, options.verifier, options.log)).viewer;
    } catch (error) {
      send(res, 401, "UNAUTHENTICATED", error instanceof Error ? error.message : "bearer token rejected");
      return;
    }
    if (!viewer) {
      send(res, 401, "UNAUTHENTICATED", "Authentication required: send 'Authorization: Bearer <token>' with the download link");
      return;
    }
    const path = upstreamPath(req);
    if (typeof path !== "string") {
      res.status(400).json({ error: { code: "BAD_USER_INPUT", message: path.invalid, argument: "format" } });
      return;
    }
    const token = await options.tokens.tokenFor(viewer);
    let upstream: globalThis.Response;
    try {
      upstream = await fetch(`${options.governanceUrl}${path}`, { headers: { [INTERNAL_TOKEN_HEADER]: token, ...requestIdHeaders() } });
    } catch (error) {
      send(res, 503, "UNAVAILABLE", `governance is unreachable (${error instanceof Error ? error.message : String(error)})`);
      return;
    }
    res.status(upstream.status);
    // Set here too: whatever governance answers, nothing served under /exports is sniffed.
    res.setHeader("x-content-type-options", "nosniff");
    for (const header of FORWARDED_HEADERS) {
      const value = upstream.headers.get(header);
      if (value) res.setHeader(header, value);
    }
    if (!upstream.body) {
      res.end();
      return;
    }
    // Streamed through: an archive file, or the zip of all of them, can be hundreds of megabytes.
    // If governance stops half-way the client's connection is cut too, so a truncated body is
    // never taken for a whole one; if the client goes away, the upstream request is dropped.
    pipeline(Readable.fromWeb(upstream.body), res, (error) => {
      if (error && !res.writableFinished) options.log.warn({ err: error }, "export download stopped");
    });
  };
  app.get("/exports/:link", handler);
  app.get("/exports/:link/:file", handler);
}
