import { useEffect, useState } from "react";
import { ROLE_LABELS } from "../roles";
import type { Role } from "../roles";
import { devSignIn, loadDevDirectory, oidcManager, oidcSignIn } from "../session";
import type { ConsoleConfig, DevDirectory, Session } from "../session";
import { ErrorBox } from "../ui";

export function SignInScreen({ config, onSignedIn }: { config: ConsoleConfig; onSignedIn: (session: Session) => void }) {
  return (
    <main id="main" className="page narrow">
      <h1>Privacy console</h1>
      {config.signIn === "development" && <DevSignIn onSignedIn={onSignedIn} />}
      {config.signIn === "oidc" && <OidcSignIn config={config.oidc} onSignedIn={onSignedIn} />}
      {config.signIn === "unavailable" && (
        <div className="error" role="alert">
          <p>{config.message}</p>
        </div>
      )}
    </main>
  );
}

function OidcSignIn({ config, onSignedIn }: { config: { issuer: string; clientId: string; scope: string }; onSignedIn: (session: Session) => void }) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  return (
    <section aria-labelledby="oidc-title">
      <h2 id="oidc-title">Sign in</h2>
      <p>
        Sign in with your organisation&apos;s identity provider (<span className="mono">{new URL(config.issuer).host}</span>). A window opens for it; your
        token stays in this page&apos;s memory and is forgotten when you close or reload it.
      </p>
      <button
        type="button"
        className="primary"
        disabled={busy}
        onClick={() => {
          setBusy(true);
          setError(null);
          oidcManager(config)
            .then(oidcSignIn)
            .then(onSignedIn, setError)
            .finally(() => setBusy(false));
        }}
      >
        Sign in with your identity provider
      </button>
      <ErrorBox error={error} />
    </section>
  );
}

const NEEDS_TENANT: Role[] = ["tenant-admin", "privacy-officer", "data-subject", "ingest"];

function DevSignIn({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [directory, setDirectory] = useState<DevDirectory | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [role, setRole] = useState<Role>("tenant-admin");
  const [tenantId, setTenantId] = useState("");
  const [userId, setUserId] = useState("");
  const [name, setName] = useState("");
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    loadDevDirectory().then((loaded) => {
      setDirectory(loaded);
      setTenantId(loaded.tenants[0]?.id ?? "");
    }, setError);
  }, []);
  const tenant = directory?.tenants.find((t) => t.id === tenantId);
  const needsTenant = NEEDS_TENANT.includes(role);
  const needsUser = role === "data-subject";
  return (
    <section aria-labelledby="dev-title">
      <h2 id="dev-title">Development sign-in</h2>
      <p>
        The embedded default: a token signed with the local issuer key, as <code>npm run token</code> makes it. Not available in production, where you sign in
        with your identity provider.
      </p>
      {!directory && !error && <p aria-live="polite">Loading the demo tenants…</p>}
      {directory && (
        <form
          className="stack"
          onSubmit={(event) => {
            event.preventDefault();
            setBusy(true);
            setError(null);
            devSignIn({ role, tenantId: needsTenant ? tenantId : "", userId: needsUser ? userId : "", name: needsUser ? "" : name })
              .then(onSignedIn, setError)
              .finally(() => setBusy(false));
          }}
        >
          <label htmlFor="role">Role</label>
          <select id="role" value={role} onChange={(event) => setRole(event.target.value as Role)}>
            {directory.roles.map((r) => (
              <option key={r} value={r}>
                {ROLE_LABELS[r] ?? r}
              </option>
            ))}
          </select>
          {needsTenant && (
            <>
              <label htmlFor="tenant">Tenant</label>
              {directory.tenants.length > 0 ? (
                <select
                  id="tenant"
                  value={tenantId}
                  onChange={(event) => {
                    setTenantId(event.target.value);
                    setUserId("");
                  }}
                >
                  {directory.tenants.map((t) => (
                    <option key={t.id} value={t.id}>
                      {t.name}
                      {t.storageRegion ? ` (${t.storageRegion})` : ""}
                    </option>
                  ))}
                </select>
              ) : (
                <input id="tenant" value={tenantId} onChange={(event) => setTenantId(event.target.value)} placeholder="tenant id" required />
              )}
            </>
          )}
          {needsUser && (
            <>
              <label htmlFor="user">User</label>
              {tenant && tenant.users.length > 0 ? (
                <select id="user" value={userId} onChange={(event) => setUserId(event.target.value)} required>
                  <option value="">Choose a user</option>
                  {tenant.users.map((u) => (
                    <option key={u.id} value={u.id}>
                      {u.userPrincipalName}
                    </option>
                  ))}
                </select>
              ) : (
                <input id="user" value={userId} onChange={(event) => setUserId(event.target.value)} placeholder="user id" required />
              )}
            </>
          )}
          {!needsUser && (
            <>
              <label htmlFor="name">Name (optional)</label>
              <input id="name" value={name} onChange={(event) => setName(event.target.value)} aria-describedby="name-help" autoComplete="off" maxLength={100} />
              <p id="name-help" className="small muted">
                Who you are in the audit trail; by default the role and tenant. Two people of the same role need different names to approve each other&apos;s
                requests.
              </p>
            </>
          )}
          <button type="submit" className="primary" disabled={busy}>
            Sign in
          </button>
        </form>
      )}
      <ErrorBox error={error} />
    </section>
  );
}
