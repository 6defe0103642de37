/**
 * The `dgg` command as an operator runs it, a child process against a running system: a
 * token minted with `dgg token`, a restriction filed and watched to completion (exit 0), its
 * history shown, its archive downloaded as a zip, a request denied and watched (exit 3), and
 * the errors a user meets (no token, a missing required option) said plainly.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { exportPKCS8 } from "jose";
import { seedSubject } from "../privacy/harness";
import { startTestSystem } from "../support/system";
import type { StoreKind, TestSystem } from "../support/system";

const ROOT = join(__dirname, "..", "..");

export function describeCliSuite(kind: StoreKind): void {
  describe(`dgg (${kind})`, () => {
    let system: TestSystem;
    let env: NodeJS.ProcessEnv;
    const dir = mkdtempSync(join(tmpdir(), "dgg-cli-"));

    beforeAll(async () => {
      system = await startTestSystem(kind);
      const keyFile = join(dir, "issuer-private.pem");
      writeFileSync(keyFile, await exportPKCS8(system.issuerKeys.privateKey));
      env = { ...process.env, DGG_URL: system.gatewayUrl.replace(/\/graphql$/, ""), AUTH_ISSUER_PRIVATE_KEY_FILE: keyFile, DGG_TOKEN: "" };
    });

    afterAll(async () => {
      await system?.stop();
    });

    async function dgg(args: string[], token?: string): Promise<{ code: number; stdout: string; stderr: string }> {
      try {
        const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(ROOT, "cli", "dgg.mjs"), ...args], { env: { ...env, DGG_TOKEN: token ?? "" }, cwd: dir });
        return { code: 0, stdout, stderr };
      } catch (error) {
        const failed = error as { code?: number; stdout?: string; stderr?: string };
        return { code: failed.code ?? -1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
      }
    }

    it("files a restriction and watches it to completion, shows its history and downloads its archive", async () => {
      const subject = await seedSubject(system, `cli-${kind}`, 1, 5);
      const minted = await dgg(["token", "--role", "tenant-admin", "--tenant", subject.tenantId, "--subject", "admin@cli"]);
      expect(minted.code).toBe(0);
      const token = minted.stdout.trim();
      const filed = await dgg(["--json", "request", "restrict", subject.userId, "--reason", "asked at the desk"], token);
      expect(filed.code).toBe(0);
      const request = JSON.parse(filed.stdout) as { id: string; status: string; kind: string };
      expect(request).toMatchObject({ kind: "RESTRICT_PROCESSING", status: "RECEIVED" });
      const watched = await dgg(["request", "watch", request.id, "--interval", "100"], token);
      expect(watched.code).toBe(0);
      expect(watched.stdout.trim().split("\n").pop()).toBe("COMPLETED");
      expect(watched.stdout).toMatch(/TELEMETRY:5\/5/);
      const shown = await dgg(["request", "show", request.id], token);
      expect(shown.code).toBe(0);
      expect(shown.stdout).toMatch(/FILED by admin@cli/);
      expect(shown.stdout).toMatch(/COMPLETED by privacy-worker/);
      const downloaded = await dgg(["request", "download", request.id, "--zip", "--out", join(dir, "archive")], token);
      expect(downloaded.code).toBe(0);
      expect(statSync(join(dir, "archive", `${request.id}.zip`)).size).toBeGreaterThan(100);
    });

    it("watches a denied request to a non-zero exit, and says plainly what is wrong with a call", async () => {
      const subject = await seedSubject(system, `cli-deny-${kind}`, 0, 1);
      const admin = (await dgg(["token", "--role", "tenant-admin", "--tenant", subject.tenantId])).stdout.trim();
      const officer = (await dgg(["token", "--role", "privacy-officer", "--tenant", subject.tenantId])).stdout.trim();
      const policy = await system.gql(admin, `mutation($t: ID!) { setPrivacyRequestPolicy(tenantId: $t, input: { erasureRequiresApproval: false, accessRequiresApproval: true }) { tenantId } }`, { t: subject.tenantId });
      expect(policy.body.errors).toBeUndefined();
      const filed = JSON.parse((await dgg(["--json", "request", "export", subject.userId], admin)).stdout) as { id: string; status: string };
      expect(filed.status).toBe("AWAITING_APPROVAL");
      const noReason = await dgg(["request", "deny", filed.id], officer);
      expect(noReason.code).not.toBe(0);
      expect(noReason.stderr).toContain("required option '--reason <text>' not specified");
      const ownApproval = await dgg(["request", "approve", filed.id], admin);
      expect(ownApproval.code).toBe(5);
      expect(ownApproval.stderr).toMatch(/^dgg: FORBIDDEN: you filed privacy request/);
      expect((await dgg(["request", "deny", filed.id, "--reason", "not verified"], officer)).code).toBe(0);
      const watched = await dgg(["request", "watch", filed.id], officer);
      expect(watched.code).toBe(3);
      expect(watched.stdout.trim().split("\n").pop()).toBe("DENIED");
      const listed = await dgg(["request", "list", "--tenant", subject.tenantId, "--kind", "ACCESS"], officer);
      expect(listed.stdout).toMatch(new RegExp(`${filed.id}\\s+ACCESS\\s+DENIED`));
      const anonymous = await dgg(["request", "show", filed.id]);
      expect(anonymous.code).toBe(5);
      expect(anonymous.stderr).toContain("UNAUTHENTICATED: no token");
      const help = await dgg(["request", "watch", "--help"]);
      expect(help.stdout).toContain("exit 0 COMPLETED, 1 FAILED, 3 DENIED, 4 CANCELED");
    });
  });
}
