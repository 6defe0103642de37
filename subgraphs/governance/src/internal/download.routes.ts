import { pipeline } from "node:stream";
import type express from "express";
import type { Request, Response } from "express";
import type { KeyLike } from "jose";
import { BadUserInputError, INTERNAL_TOKEN_HEADER, NotFoundError, outOfBounds, ServiceError, UnauthenticatedError, verifyInternalToken } from "@dgg/common";
import type { Viewer } from "@dgg/common";
import { PrivacyRequestRecord } from "../entities/privacy-request.entity";
import { archivePrefix, CATEGORY_FILES, MANIFEST_FILE, REPORT_FILE } from "../privacy/archive/archive-layout";
import { zipArchive } from "../privacy/archive/archive-zip";
import type { StoredManifest } from "../privacy/archive/archive-zip";
import type { EngineDeps } from "../privacy/engine/engine-deps";
import { appendEvent } from "../privacy/engine/queue";
import { mayDownload, verifyDownloadLink } from "../privacy/archive/download-link";

const FILES = new Set([MANIFEST_FILE, REPORT_FILE, ...Object.values(CATEGORY_FILES).map((entry) => entry.file)]);

/** The formats the whole archive is served in; a single file is served as it is stored. */
const ARCHIVE_FORMATS = ["zip"] as const;

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

/** `format` is one value, or absent; express parses `?format=a&format=b` as a list. */
function formatOf(req: Request): string | undefined {
  const format: unknown = req.query.format;
  if (format === undefined) return undefined;
  if (typeof format !== "string") throw new BadUserInputError(`format must be given once, got ${JSON.stringify(format)}`, "format");
  return format;
}

interface Download {
  viewer: Viewer;
  forwarded: string;
  request: PrivacyRequestRecord;
}

/**
 * The caller the gateway forwards, holding a valid link issued to it, for a request it may
 * still see whose archive is verified and not purged; anything else is refused.
 */
async function authorise(req: Request, deps: EngineDeps, internalPublicKey: KeyLike, check: () => void): Promise<Download> {
  const forwarded = req.header(INTERNAL_TOKEN_HEADER);
  if (!forwarded) throw new UnauthenticatedError("downloads are served only through the gateway");
  const viewer = await verifyInternalToken(forwarded, internalPublicKey, deps.clock.now());
  const claims = await verifyDownloadLink(String(req.params.link), internalPublicKey, viewer, deps.clock.now());
  check();
  const request = await deps.db.getRepository(PrivacyRequestRecord).findOneBy({ id: claims.requestId });
  if (!request || !mayDownload(viewer, request)) throw outOfBounds(viewer, `privacy request ${claims.requestId}`);
  if (request.archivePurgedAt) throw new NotFoundError(`the archive of privacy request ${request.id} was purged on ${request.archivePurgedAt.toISOString()}`);
  if (!request.verifiedAt) throw new NotFoundError(`privacy request ${request.id} has no verified archive yet`);
  return { viewer, forwarded, request };
}

/**
 * Every download is in the audit trail and the request's history before a byte leaves; a
 * download that cannot be recorded is not served. A data subject is named by role only, as
 * in the audit entry: the history outlives their erasure.
 */
async function recordDownload(deps: EngineDeps, { viewer, forwarded, request }: Download, details: Record<string, string>): Promise<void> {
  await deps.audit.record(await auditToken(deps, viewer, forwarded), [
    { tenantId: request.tenantId, action: "PRIVACY_EXPORT_DOWNLOADED", subjectUserId: null, details: { requestId: request.id, ...details, by: viewer.role } },
  ]);
  await deps.db.transaction((manager) =>
    appendEvent(manager, request.id, {
      at: deps.clock.now(),
      worker: "api",
      actor: viewer.role === "data-subject" ? "data-subject" : viewer.subject,
      step: "DOWNLOADED",
      status: request.status,
      detail: { ...details, by: viewer.role },
    }),
  );
}

function answerError(deps: EngineDeps, res: Response, error: unknown): void {
  const known = error instanceof ServiceError ? error : null;
  if (!known) deps.log.error({ err: error }, "download failed");
  const argument = known?.extensions.argument;
  res.status(known?.httpStatus ?? 500).json({
    error: { code: known?.code ?? "INTERNAL_SERVER_ERROR", message: known?.message ?? "internal error", ...(typeof argument === "string" ? { argument } : {}) },
  });
}

/** Streams to the client; a failure half-way cuts the connection, so a partial body is never taken for a whole one. */
function send(deps: EngineDeps, res: Response, body: NodeJS.ReadableStream, download: { privacyRequestId: string; file: string }): void {
  pipeline(body, res, (error) => {
    if (error && !res.writableFinished) deps.log.warn({ err: error, ...download }, "download stopped");
  });
}

/**
 * `GET /downloads/:link/:file` streams one file of an archive, and `GET /downloads/:link?format=zip`
 * the whole archive as one zip, to the caller the gateway forwards, if the signed link is
 * valid, was issued to that caller, the caller may still see the request, and the archive
 * was not purged. Every download is in the audit trail.
 */
export function mountDownloadRoutes(app: express.Express, deps: EngineDeps, internalPublicKey: KeyLike): void {
  app.get("/downloads/:link/:file", async (req: Request, res: Response) => {
    try {
      const file = String(req.params.file);
      const download = await authorise(req, deps, internalPublicKey, () => {
        if (!FILES.has(file)) throw new NotFoundError(`an archive has no file ${JSON.stringify(file)}`);
        if (formatOf(req) !== undefined) {
          throw new BadUserInputError(`format applies to the whole archive (the link without a file name, ?format=zip); ${file} is served as it is stored`, "format");
        }
      });
      const { request } = download;
      const key = `${archivePrefix(request.tenantId, request.id)}/${file}`;
      // report.html is missing from archives written before they had one.
      if (!(await deps.blobs.exists(request.region, key))) throw new NotFoundError(`the archive of privacy request ${request.id} has no ${file}`);
      await recordDownload(deps, download, { file });
      res.set({ ...DOWNLOAD_HEADERS, "content-type": contentTypeOf(file), "content-disposition": `attachment; filename="${request.id}-${file}"` });
      send(deps, res, deps.blobs.read(request.region, key), { privacyRequestId: request.id, file });
    } catch (error) {
      answerError(deps, res, error);
    }
  });

  app.get("/downloads/:link", async (req: Request, res: Response) => {
    try {
      let format: string | undefined;
      const download = await authorise(req, deps, internalPublicKey, () => {
        format = formatOf(req);
        if (!(ARCHIVE_FORMATS as readonly string[]).includes(format ?? "")) {
          const got = format === undefined ? "no format" : `unknown format ${JSON.stringify(format)}`;
          throw new BadUserInputError(`${got}: the whole archive is served as ${ARCHIVE_FORMATS.map((known) => `format=${known}`).join(", ")}; single files at /<file>`, "format");
        }
      });
      const { request } = download;
      const prefix = archivePrefix(request.tenantId, request.id);
      const manifestBytes = await deps.blobs.get(request.region, `${prefix}/${MANIFEST_FILE}`);
      const manifest = JSON.parse(manifestBytes.toString("utf8")) as StoredManifest;
      if (manifest.requestId !== request.id) throw new Error(`the manifest under ${prefix} names request ${manifest.requestId}`);
      const file = `archive.${format!}`;
      await recordDownload(deps, download, { file, format: format! });
      res.set({ ...DOWNLOAD_HEADERS, "content-type": "application/zip", "content-disposition": `attachment; filename="${request.id}-${file}"` });
      send(deps, res, zipArchive(deps.blobs, request.region, prefix, manifestBytes, manifest), { privacyRequestId: request.id, file });
    } catch (error) {
      answerError(deps, res, error);
    }
  });
}
