import type express from "express";
import type { Request, Response } from "express";
import type { KeyLike } from "jose";
import { INTERNAL_TOKEN_HEADER, NotFoundError, outOfBounds, ServiceError, UnauthenticatedError, verifyInternalToken } from "@dgg/common";
import type { Viewer } from "@dgg/common";
import { PrivacyRequestRecord } from "../entities/privacy-request.entity";
import { archivePrefix, CATEGORY_FILES, MANIFEST_FILE, REPORT_FILE } from "./archive-layout";
import type { EngineDeps } from "./engine-deps";
import { mayDownload, verifyDownloadLink } from "./download-link";

const FILES = new Set([MANIFEST_FILE, REPORT_FILE, ...Object.values(CATEGORY_FILES).map((entry) => entry.file)]);

/**
 * On every download: nothing of it is sniffed into another type, no downloaded page may load
 * or run anything (report.html is self-contained, see privacy/report/), nothing is cached.
 */
const DOWNLOAD_HEADERS = {
  "x-content-type-options": "nosniff",
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'",
  "cache-control": "no-store",
};

function contentTypeOf(file: string): string {
  if (file.endsWith(".ndjson")) return "application/x-ndjson";
  if (file.endsWith(".html")) return "text/html; charset=utf-8";
  return "application/json";
}

/** The audit token for a download: the admin's own identity, or governance's for a data subject (whose id must not re-enter the trail). */
export async function auditToken(deps: EngineDeps, viewer: Viewer, forwarded: string): Promise<string> {
  return viewer.role === "data-subject" ? deps.serviceToken() : forwarded;
}

/**
 * `GET /downloads/:link/:file`: streams one file of an archive to the caller the gateway
 * forwards, if the signed link is valid, was issued to that caller, the caller may still
 * see the request, and the archive was not purged. Every download is in the audit trail.
 */
export function mountDownloadRoutes(app: express.Express, deps: EngineDeps, internalPublicKey: KeyLike): void {
  app.get("/downloads/:link/:file", async (req: Request, res: Response) => {
    try {
      const forwarded = req.header(INTERNAL_TOKEN_HEADER);
      if (!forwarded) throw new UnauthenticatedError("downloads are served only through the gateway");
      const viewer = await verifyInternalToken(forwarded, internalPublicKey, deps.clock.now());
      const claims = await verifyDownloadLink(String(req.params.link), internalPublicKey, viewer, deps.clock.now());
      const file = String(req.params.file);
      if (!FILES.has(file)) throw new NotFoundError(`an archive has no file ${JSON.stringify(file)}`);
      const request = await deps.db.getRepository(PrivacyRequestRecord).findOneBy({ id: claims.requestId });
      if (!request || !mayDownload(viewer, request)) throw outOfBounds(viewer, `privacy request ${claims.requestId}`);
      if (request.archivePurgedAt) throw new NotFoundError(`the archive of privacy request ${request.id} was purged on ${request.archivePurgedAt.toISOString()}`);
      if (!request.verifiedAt) throw new NotFoundError(`privacy request ${request.id} has no verified archive yet`);
      const key = `${archivePrefix(request.tenantId, request.id)}/${file}`;
      // report.html is missing from archives written before they had one.
      if (!(await deps.blobs.exists(request.region, key))) throw new NotFoundError(`the archive of privacy request ${request.id} has no ${file}`);
      await deps.audit.record(await auditToken(deps, viewer, forwarded), [
        {
          tenantId: request.tenantId,
          action: "PRIVACY_EXPORT_DOWNLOADED",
          subjectUserId: null,
          details: { requestId: request.id, file, by: viewer.role },
        },
      ]);
      res.set({ ...DOWNLOAD_HEADERS, "content-type": contentTypeOf(file), "content-disposition": `attachment; filename="${request.id}-${file}"` });
      const stream = deps.blobs.read(request.region, key);
      stream.on("error", () => res.destroy());
      stream.pipe(res);
    } catch (error) {
      const known = error instanceof ServiceError ? error : null;
      if (!known) console.error(`[governance] download failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      res.status(known?.httpStatus ?? 500).json({ error: { code: known?.code ?? "INTERNAL_SERVER_ERROR", message: known?.message ?? "internal error" } });
    }
  });
}

