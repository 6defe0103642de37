/**
 * Scenario: a person (or their administrator) receives the archive of a completed privacy
 * request and wants to read it. Every archive holds report.html, listed and verified in the
 * manifest, stating what the API states (storage kinds, retention rules, the processing
 * statement) and rendered again to the same bytes from what is stored. Hostile values typed
 * into a display name, a device name or a telemetry payload show as text and never as
 * markup, also in a real browser (headless Chromium), which loads nothing but the page. The
 * report and the whole archive as one zip download through the gateway with the link's own
 * identity only, audited like any file. Shared by SQLite and PostgreSQL.
 */
import { createHash } from "node:crypto";
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { viewer } from "@dgg/common/testkit";
import { FileSystemBlobStore } from "../../subgraphs/governance/src/blob/blob-store";
import { PrivacyRequestRecord } from "../../subgraphs/governance/src/entities/privacy-request.entity";
import { signDownloadLink } from "../../subgraphs/governance/src/privacy/archive/download-link";
import { escapeHtml } from "../../subgraphs/governance/src/privacy/report/html";
import { renderArchiveReport } from "../../subgraphs/governance/src/privacy/report/report-step";
import { launchChromium, openPage } from "../support/chromium";
import { waitForRequest } from "../support/privacy";
import { foreignMarkup, htmlProblems } from "../support/report-html";
import { auditEntries, queryAcross, startTestSystem } from "../support/system";
import type { StoreKind, TestSystem } from "../support/system";
import { unzipAll } from "../support/unzip";
import { assertArchiveIntact, checkpointLog, heldRecords, seedSubject } from "./harness";
import type { Subject } from "./harness";

const CSP = "default-src 'none'; style-src 'unsafe-inline'";
const HOSTILE_NAME = `<script>alert("name")</script>"><img src=x onerror=alert(1)>`;
const HOSTILE_DEVICE = `<svg onload=alert(2)>'"`;
const HOSTILE_PAYLOAD = { note: "</td></tr></table><script>alert(3)</script>", "\"><iframe src=javascript:alert(4)>": "a key from the data" };
const FOLLOW = "id status attempts lastError export { location sha256 byteSize counts { category records } }";
const TITLES: Record<string, string> = { ACCOUNT: "Account", SERVICE_DATA: "Service data (devices)", TELEMETRY: "Telemetry", AUDIT_LOG: "Audit log" };
const sha256 = (bytes: Buffer | string) => createHash("sha256").update(bytes).digest("hex");
const records = (count: number) => `${count.toLocaleString("en")} record${count === 1 ? "" : "s"}`;

export function describeReportSuite(kind: StoreKind): void {
  describe(`readable archives (report.html, the zip download) on ${kind}`, () => {
    let system: TestSystem;
    /** Called at each of governance's fault points: a test that must act at a precise step sets it. */
    let atFaultPoint: ((point: string) => void) | null = null;

    beforeAll(async () => {
      system = await startTestSystem(kind, { faults: { hit: (point) => atFaultPoint?.(point) } });
    });

    afterAll(async () => {
      await system?.stop();
    });

    /** Restricts processing for the subject and waits for the request to complete. */
    async function completed(subject: Subject): Promise<{ id: string; manifest: Record<string, any>; folder: string; export: Record<string, any> }> {
      const filed = await system.gql(subject.adminToken, `mutation($u: ID!) { restrictProcessing(user: $u) { id } }`, { u: subject.userId });
      expect(filed.body.errors).toBeUndefined();
      const id = filed.body.data!.restrictProcessing.id as string;
      const done = await waitForRequest(system, subject.adminToken, id, FOLLOW);
      expect(done.status).toBe("COMPLETED");
      const manifest = assertArchiveIntact(done.export.location, done.export.sha256, subject);
      return { id, manifest, folder: dirname(fileURLToPath(done.export.location)), export: done.export };
    }

    /** A subject whose display name, one device's name and one telemetry payload are hostile. */
    async function hostileSubject(name: string): Promise<Subject> {
      const subject = await seedSubject(system, name, 2, 12, undefined, HOSTILE_NAME);
      const enrolled = await system.gql(subject.adminToken, `mutation($i: EnrollDeviceInput!) { enrollDevice(input: $i) { id } }`, {
        i: { userId: subject.userId, deviceName: HOSTILE_DEVICE, operatingSystem: "Windows 11", serialNumber: `SN-"><b>${name}` },
      });
      expect(enrolled.body.errors).toBeUndefined();
      const ingested = await system.gql(subject.adminToken, `mutation($e: [TelemetryEventInput!]!) { ingestTelemetry(events: $e) { accepted } }`, {
        e: [{ userId: subject.userId, kind: "ERROR", occurredAt: system.clock.now().toISOString(), payload: HOSTILE_PAYLOAD }],
      });
      expect(ingested.body.data?.ingestTelemetry.accepted).toBe(1);
      const p = system.kind === "postgres" ? "$1" : "?";
      const events = await queryAcross<{ id: string }>(system, "telemetry", `SELECT id FROM telemetry_event WHERE user_id = ${p}`, [subject.userId]);
      expect(events).toHaveLength(subject.telemetryIds.length + 1);
      return { ...subject, devices: subject.devices + 1, telemetryIds: events.map((event) => event.id) };
    }

    /** A download link for the request, issued to the subject's admin. */
    async function linkFor(subject: Subject, requestId: string): Promise<{ url: string; files: string[] }> {
      const issued = await system.gql(subject.adminToken, `mutation($id: ID!) { createPrivacyExportDownload(id: $id) { url files } }`, { id: requestId });
      expect(issued.body.errors).toBeUndefined();
      return issued.body.data!.createPrivacyExportDownload;
    }

    const get = (url: string, token: string | null): Promise<any> => fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });

    const downloadsAudited = async (requestId: string) =>
      (await auditEntries(system, { action: "PRIVACY_EXPORT_DOWNLOADED" }))
        .map((entry) => entry.details as Record<string, string>)
        .filter((details) => details.requestId === requestId);

    it("puts report.html in every archive, listed and verified in the manifest, stating what the API states, rendered again to the same bytes", async () => {
      const subject = await seedSubject(system, `report-${kind}`, 2, 30);
      // What the API says about the person, before the data is erased: the report must say the same.
      const api = await system.gql(subject.adminToken, `query($u: ID!) { personalData(user: $u) {
        residency { region locations { category kind } } retention { category policy } processing { isoCertifiedSystems usedForProfiling usedForMarketing } } }`, { u: subject.userId });
      expect(api.body.errors).toBeUndefined();
      const stated = api.body.data!.personalData;

      const { id, manifest, folder, export: exported } = await completed(subject);
      expect(manifest).toMatchObject({ schemaVersion: 3, format: "application/vnd.dgg.personal-data-export.v3+manifest", report: { file: "report.html", format: "html" } });
      const html = readFileSync(join(folder, "report.html"), "utf8");
      expect(sha256(html)).toBe(manifest.report.sha256);
      expect(exported.byteSize).toBe(readFileSync(join(folder, "manifest.json")).length + manifest.files.reduce((sum: number, file: { bytes: number }) => sum + file.bytes, 0) + manifest.report.bytes);
      expect(await htmlProblems(html)).toEqual([]);
      expect(foreignMarkup(html)).toEqual([]);
      expect(html).toContain(`<html lang="en">`);
      expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${CSP}">`);

      for (const file of manifest.files as { category: string; file: string; records: number }[]) {
        const anchor = `category-${file.category.toLowerCase().replace(/_/g, "-")}`;
        const section = html.slice(html.indexOf(`<section aria-labelledby="${anchor}">`), html.indexOf("</section>", html.indexOf(`<section aria-labelledby="${anchor}">`)));
        expect(section).toContain(`${TITLES[file.category]} <span class="count">(${records(file.records)})</span>`);
        expect(section).toContain(`<code>${file.file}</code>`);
        expect(section).toContain(`<dt>Region</dt><dd>Europe (${stated.residency.region})</dd>`);
        const kinds = stated.residency.locations.filter((location: { category: string }) => location.category === file.category).map((location: { kind: string }) => location.kind);
        expect(kinds.length).toBeGreaterThan(0);
        for (const storageKind of kinds) expect(section).toContain(`(${storageKind})`);
        const policy = stated.retention.find((rule: { category: string }) => rule.category === file.category).policy as string;
        expect(section).toContain(`<dt>Kept</dt><dd>${escapeHtml(policy)}</dd>`);
        // Every record shown (fewer than the cap here): one table row each.
        expect(section.match(/<tr><td/g) ?? []).toHaveLength(file.records);
      }
      expect(manifest.files.map((file: { records: number }) => file.records)).toEqual([1, 2, 30, expect.any(Number)]);
      const yesNo = (value: boolean) => (value ? "Yes" : "No");
      expect(html).toContain(`<th scope="row">Processed in ISO-certified systems</th><td>${yesNo(stated.processing.isoCertifiedSystems)}</td>`);
      expect(html).toContain(`<th scope="row">Used for profiling</th><td>${yesNo(stated.processing.usedForProfiling)}</td>`);
      expect(html).toContain(`<th scope="row">Used for marketing</th><td>${yesNo(stated.processing.usedForMarketing)}</td>`);

      // Written after the files, recorded with its hash, verified with the archive.
      const events = await checkpointLog(system.governance.db, id);
      const steps = events.map((event) => event.step);
      expect(steps.indexOf("REPORT_WRITTEN")).toBeGreaterThan(steps.indexOf("FILES_WRITTEN"));
      expect(steps.indexOf("REPORT_WRITTEN")).toBeLessThan(steps.indexOf("ARCHIVE_VERIFIED"));
      expect(events.find((event) => event.step === "REPORT_WRITTEN")!.detail).toMatchObject({ file: "report.html", sha256: manifest.report.sha256, bytes: manifest.report.bytes });

      // Rendered again from the stored files and the recorded values alone: the same bytes.
      const request = await system.governance.db.getRepository(PrivacyRequestRecord).findOneByOrFail({ id });
      let again = "";
      for await (const chunk of renderArchiveReport(new FileSystemBlobStore(system.blobRoot), request, request.checkpoint.report!.storage)) again += chunk;
      expect(sha256(again)).toBe(manifest.report.sha256);
    });

    it("shows hostile values as escaped text, never as markup, also in headless Chromium, which loads nothing but the page", async () => {
      const subject = await hostileSubject(`hostile-${kind}`);
      const { manifest, folder } = await completed(subject);
      const html = readFileSync(join(folder, "report.html"), "utf8");
      expect(foreignMarkup(html)).toEqual([]);
      expect(await htmlProblems(html)).toEqual([]);
      expect(html).not.toMatch(/<(script|img|svg|iframe)/i);
      expect(html).toContain("&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
      expect(html).toContain(escapeHtml(HOSTILE_DEVICE));
      expect(html).toContain(escapeHtml(JSON.stringify(HOSTILE_PAYLOAD)));

      const browser = await launchChromium();
      try {
        const opened = await openPage(browser, html, { "content-type": "text/html; charset=utf-8", "content-security-policy": CSP });
        const text = (await opened.page.evaluate("document.body.innerText")) as string;
        expect(opened.problems).toEqual([]);
        expect(opened.otherRequests).toEqual([]);
        expect(await opened.page.evaluate("document.querySelectorAll('script, img, svg, iframe, object, embed, link, form').length")).toBe(0);
        // The hostile values are there for the person to read, as the text they typed.
        expect(text).toContain(HOSTILE_NAME);
        expect(text).toContain(HOSTILE_DEVICE);
        const headings = (await opened.page.evaluate("Array.from(document.querySelectorAll('h2')).map((h) => h.innerText)")) as string[];
        for (const file of manifest.files as { category: string; records: number }[]) {
          expect(headings).toContain(`${TITLES[file.category]} (${records(file.records)})`);
          expect(text).toContain(`${TITLES[file.category]} (${records(file.records)})`);
        }
        // Printed, wide tables are not clipped by their scroll box.
        await opened.page.emulateMediaType("print");
        expect(await opened.page.evaluate("getComputedStyle(document.querySelector('.scroll')).overflowX")).toBe("visible");

        // The checks above can see a page that reaches out: the same page with one image added is caught.
        const leaky = await openPage(browser, html.replace("</footer>", `<p><img src="https://tracker.invalid/pixel.png" alt=""></p></footer>`), { "content-type": "text/html; charset=utf-8" });
        expect([...leaky.problems, ...leaky.otherRequests].join("\n")).toContain("tracker.invalid");
      } finally {
        await browser.close();
      }
    });

    it("downloads report.html and the whole archive as one zip through the gateway, audited, the zip holding exactly the manifest's files", async () => {
      const subject = await seedSubject(system, `zip-${kind}`, 3, 40);
      const { id, manifest, folder, export: exported } = await completed(subject);
      const { url, files } = await linkFor(subject, id);
      const listed = ["manifest.json", ...manifest.files.map((file: { file: string }) => file.file), manifest.report.file];
      expect(files).toEqual(listed);

      const report = await get(`${url}/report.html`, subject.adminToken);
      expect(report.status).toBe(200);
      expect(report.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(report.headers.get("content-security-policy")).toBe(CSP);
      expect(report.headers.get("x-content-type-options")).toBe("nosniff");
      expect(report.headers.get("content-disposition")).toBe(`attachment; filename="${id}-report.html"`);
      expect(sha256(Buffer.from(await report.arrayBuffer()))).toBe(manifest.report.sha256);

      const zipped = await get(`${url}?format=zip`, subject.adminToken);
      expect(zipped.status).toBe(200);
      expect(zipped.headers.get("content-type")).toBe("application/zip");
      expect(zipped.headers.get("content-disposition")).toBe(`attachment; filename="${id}-archive.zip"`);
      expect(zipped.headers.get("x-content-type-options")).toBe("nosniff");
      // Streamed as it is built: no length is known up front.
      expect(zipped.headers.get("content-length")).toBeNull();
      const zip = Buffer.from(await zipped.arrayBuffer());
      const entries = await unzipAll(zip);
      expect([...entries.keys()]).toEqual(listed);
      expect(sha256(entries.get("manifest.json")!)).toBe(exported.sha256);
      for (const entry of [...manifest.files, manifest.report] as { file: string; sha256: string; bytes: number }[]) {
        expect({ file: entry.file, sha256: sha256(entries.get(entry.file)!), bytes: entries.get(entry.file)!.length }).toEqual({ file: entry.file, sha256: entry.sha256, bytes: entry.bytes });
        expect(entries.get(entry.file)!.equals(readFileSync(join(folder, entry.file)))).toBe(true);
      }
      // The same archive zips to the same bytes (entries are dated at the export's end).
      expect(sha256(Buffer.from(await (await get(`${url}?format=zip`, subject.adminToken)).arrayBuffer()))).toBe(sha256(zip));

      // Formats other than zip, twice given, or asked of a single file: BAD_USER_INPUT, nothing served or audited.
      const before = (await downloadsAudited(id)).length;
      for (const [path, says] of [
        [`${url}?format=tar`, /unknown format "tar"/],
        [`${url}?format=`, /unknown format ""/],
        [`${url}?format=zip&format=tar`, /format must be given once/],
        [`${url}/report.html?format=zip`, /format applies to the whole archive/],
      ] as const) {
        const refused = await get(path, subject.adminToken);
        const body = await refused.json();
        expect({ path, status: refused.status, code: body.error.code, argument: body.error.argument }).toEqual({ path, status: 400, code: "BAD_USER_INPUT", argument: "format" });
        expect(body.error.message).toMatch(says);
      }
      const audited = await downloadsAudited(id);
      expect(audited).toHaveLength(before);
      expect(audited.map(({ file, format }) => ({ file, format }))).toEqual([
        { file: "report.html", format: undefined },
        { file: "archive.zip", format: "zip" },
        { file: "archive.zip", format: "zip" },
      ]);
      expect(audited.every((details) => details.by === "tenant-admin")).toBe(true);
    });

    it("refuses the report and the zip to anyone but the identity the link was issued to, and to other tenants even with a link of their own", async () => {
      const subject = await seedSubject(system, `guarded-${kind}`, 1, 5);
      const stranger = await seedSubject(system, `stranger-${kind}`, 0, 0);
      const { id } = await completed(subject);
      const { url } = await linkFor(subject, id);
      const foreignAdmin = await system.token(viewer("tenant-admin", { tenantId: stranger.tenantId, subject: `admin@${stranger.name}` }));
      const colleague = await system.token(viewer("tenant-admin", { tenantId: subject.tenantId, subject: `colleague@${subject.name}` }));
      const before = (await downloadsAudited(id)).length;

      for (const path of [`${url}/report.html`, `${url}?format=zip`]) {
        expect((await get(path, null)).status).toBe(401);
        for (const token of [foreignAdmin, colleague]) {
          const refused = await get(path, token);
          expect({ path, status: refused.status, code: (await refused.json()).error.code }).toEqual({ path, status: 403, code: "FORBIDDEN" });
        }
      }
      // Another tenant's admin cannot have a link issued for the request...
      const issued = await system.gql(foreignAdmin, `mutation($id: ID!) { createPrivacyExportDownload(id: $id) { url } }`, { id });
      expect(issued.body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
      // ...and a link that names them (as a bug or a leaked key would make) is refused by governance all the same.
      const forged = await signDownloadLink(system.internalKeys.privateKey, viewer("tenant-admin", { tenantId: stranger.tenantId, subject: `admin@${stranger.name}` }), id, system.clock.now(), 60_000);
      const base = url.slice(0, url.lastIndexOf("/"));
      for (const path of [`${base}/${forged}/report.html`, `${base}/${forged}?format=zip`]) {
        const refused = await get(path, foreignAdmin);
        expect({ path, status: refused.status, code: (await refused.json()).error.code }).toEqual({ path, status: 403, code: "FORBIDDEN" });
      }
      expect(await downloadsAudited(id)).toHaveLength(before);
      // The link's own identity still gets both.
      expect((await get(`${url}/report.html`, subject.adminToken)).status).toBe(200);
      expect((await get(`${url}?format=zip`, subject.adminToken)).status).toBe(200);
    });

    it("finds a record broken on disk in the part of a file an earlier attempt wrote, when the next attempt reads that part back", async () => {
      const subject = await seedSubject(system, `broken-prefix-${kind}`, 1, 4);
      const tenantFolder = join(system.blobRoot, "EUROPE", subject.tenantId, "privacy-requests");
      let partialPath = "";
      let original: Buffer | null = null;
      atFaultPoint = (point) => {
        // After telemetry's checkpoint (the third category's): its first record's opening brace
        // is overwritten on disk (same size), and the attempt dies before finishing the file.
        if (point !== "export.checkpointed") return;
        const [requestFolder] = readdirSync(tenantFolder);
        const folder = join(tenantFolder, requestFolder!);
        const partial = readdirSync(folder).find((name) => name.startsWith("telemetry.ndjson.") && name.endsWith(".partial"));
        if (!partial) return;
        atFaultPoint = null;
        partialPath = join(folder, partial);
        original = readFileSync(partialPath);
        expect(original[0]).toBe("{".charCodeAt(0));
        writeFileSync(partialPath, Buffer.concat([Buffer.from("#"), original.subarray(1)]));
        throw new Error("simulated crash after the telemetry checkpoint");
      };
      try {
        const filed = await system.gql(subject.adminToken, `mutation($u: ID!) { restrictProcessing(user: $u) { id } }`, { u: subject.userId });
        const id = filed.body.data!.restrictProcessing.id as string;
        await waitForRequest(system, subject.adminToken, id, FOLLOW, (request) => request.lastError === "simulated crash after the telemetry checkpoint");
        // The next attempt is due after the backoff (the test clock only moves when told).
        system.clock.advance(5_000);
        const failed = await waitForRequest(system, subject.adminToken, id, FOLLOW, (request) => typeof request.lastError === "string" && request.lastError.includes("JSON record"));
        expect(failed.status).toBe("EXPORTING");
        expect(failed.lastError).toBe("telemetry.ndjson line 1 is not a JSON record");
        expect(await heldRecords(system, subject.userId)).toBe(1 + 1 + 4);
        writeFileSync(partialPath, original!);
        system.clock.advance(5_000);
        const done = await waitForRequest(system, subject.adminToken, id, FOLLOW);
        expect(done.status).toBe("COMPLETED");
        assertArchiveIntact(done.export.location, done.export.sha256, subject);
      } finally {
        atFaultPoint = null;
      }
    });

    it("fails verification when report.html changed on disk after it was written, and completes once it is whole again", async () => {
      const subject = await seedSubject(system, `tampered-${kind}`, 1, 3);
      const tenantFolder = join(system.blobRoot, "EUROPE", subject.tenantId, "privacy-requests");
      let original: Buffer | null = null;
      let reportPath = "";
      atFaultPoint = (point) => {
        // Between the manifest's write and its verification, once: a byte appended to the report.
        if (point !== "export.manifest-written") return;
        const [requestFolder] = readdirSync(tenantFolder);
        reportPath = join(tenantFolder, requestFolder!, "report.html");
        original = readFileSync(reportPath);
        appendFileSync(reportPath, " ");
        atFaultPoint = null;
      };
      try {
        const filed = await system.gql(subject.adminToken, `mutation($u: ID!) { restrictProcessing(user: $u) { id } }`, { u: subject.userId });
        const id = filed.body.data!.restrictProcessing.id as string;
        const failed = await waitForRequest(system, subject.adminToken, id, FOLLOW, (request) => typeof request.lastError === "string");
        expect(failed.status).toBe("EXPORTING");
        expect(failed.lastError).toMatch(/^report\.html: stored copy has SHA-256 [0-9a-f]{64} and \d+ bytes, expected [0-9a-f]{64} and \d+$/);
        writeFileSync(reportPath, original!);
        // The next attempt is due after the backoff (the test clock only moves when told).
        system.clock.advance(5_000);
        const done = await waitForRequest(system, subject.adminToken, id, FOLLOW);
        expect(done.status).toBe("COMPLETED");
        expect(done.attempts).toBeGreaterThanOrEqual(2);
        assertArchiveIntact(done.export.location, done.export.sha256, subject);
      } finally {
        atFaultPoint = null;
      }
    });
  });
}
