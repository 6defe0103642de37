import { useEffect, useMemo, useRef, useState } from "react";
import { Client, fetchExchange, Provider } from "urql";
import { AuditScreen } from "./screens/Audit";
import { OperationsScreen } from "./screens/Operations";
import { PersonScreen } from "./screens/Person";
import { RequestDetailScreen } from "./screens/RequestDetail";
import { RequestsScreen } from "./screens/Requests";
import { SignInScreen } from "./screens/SignIn";
import { href, useRoute } from "./router";
import { may, ROLE_LABELS } from "./roles";
import { loadConfig } from "./session";
import type { ConsoleConfig, Session } from "./session";
import { ErrorBox } from "./ui";

function clientFor(session: Session): Client {
  return new Client({
    url: "/graphql",
    exchanges: [fetchExchange],
    requestPolicy: "network-only",
    preferGetMethod: false,
    // The token lives in this closure only: never written to storage or a cookie.
    fetchOptions: () => ({ headers: { authorization: `Bearer ${session.token}` }, credentials: "omit" }),
  });
}

export interface NavItem {
  path: string;
  label: string;
}

export function navFor(session: Session): NavItem[] {
  const items: NavItem[] = [];
  if (may(session.role, "personalData")) items.push({ path: "person", label: "Find a person" });
  if (may(session.role, "privacyRequests")) items.push({ path: "requests", label: "Requests" });
  if (may(session.role, "tenantAuditLog")) items.push({ path: "audit", label: "Audit trail" });
  if (may(session.role, "retentionRuns") || may(session.role, "residencyMove") || may(session.role, "webhooks")) items.push({ path: "operations", label: "Operations" });
  return items;
}

export function App() {
  const [config, setConfig] = useState<ConsoleConfig | null>(null);
  const [configError, setConfigError] = useState<unknown>(null);
  const [session, setSession] = useState<Session | null>(null);
  useEffect(() => {
    loadConfig().then(setConfig, setConfigError);
  }, []);
  const client = useMemo(() => (session ? clientFor(session) : null), [session]);

  if (configError) {
    return (
      <main id="main" className="page">
        <h1>Privacy console</h1>
        <ErrorBox error={configError} />
      </main>
    );
  }
  if (!config) return <p className="page">Loading…</p>;
  if (!session || !client) return <SignInScreen config={config} onSignedIn={setSession} />;
  return (
    <Provider value={client}>
      <Shell
        session={session}
        onSignOut={() => {
          void session.signOut().finally(() => setSession(null));
          location.hash = "";
        }}
      />
    </Provider>
  );
}

function Shell({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const route = useRoute();
  const nav = navFor(session);
  const current = route[0] ?? nav[0]?.path ?? "";
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  useEffect(() => {
    // Keyboard and screen-reader users land on the new page's heading, not at the top of the old one.
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.querySelector<HTMLElement>("h1")?.focus();
  }, [route.join("/")]);
  let screen;
  if (current === "person" && may(session.role, "personalData")) screen = <PersonScreen session={session} userId={route[1]} />;
  else if (current === "requests" && route[1] && may(session.role, "privacyRequest")) screen = <RequestDetailScreen session={session} id={route[1]} />;
  else if (current === "requests" && may(session.role, "privacyRequests")) screen = <RequestsScreen session={session} />;
  else if (current === "audit" && may(session.role, "tenantAuditLog")) screen = <AuditScreen />;
  else if (current === "operations") screen = <OperationsScreen session={session} />;
  else
    screen = (
      <>
        <h1 tabIndex={-1}>Nothing here for your role</h1>
        <p>The {ROLE_LABELS[session.role] ?? session.role} role has no screen in the console.</p>
      </>
    );
  return (
    <>
      <a className="skip" href="#main" onClick={(event) => { event.preventDefault(); main.current?.querySelector<HTMLElement>("h1")?.focus(); }}>
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Privacy console</span>
        <nav aria-label="Main">
          <ul>
            {nav.map((item) => (
              <li key={item.path}>
                <a href={href(item.path)} aria-current={current === item.path ? "page" : undefined}>
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <span data-testid="who">
            {ROLE_LABELS[session.role] ?? session.role} · {session.subject}
          </span>
          <button type="button" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" className="page" ref={main}>
        {screen}
      </main>
    </>
  );
}
