// Who is signed in: the bearer token and what the gateway reads from it. Kept in memory only
// (no localStorage, sessionStorage or cookies): a reload signs out (docs/decisions/0050).
import type { UserManager } from "oidc-client-ts";
import type { Role } from "./roles";

export type ConsoleConfig =
  | { signIn: "development" }
  | { signIn: "oidc"; oidc: { issuer: string; clientId: string; scope: string } }
  | { signIn: "unavailable"; message: string };

export interface Session {
  token: string;
  role: Role;
  tenantId: string | null;
  userId: string | null;
  subject: string;
  signOut: () => Promise<void>;
}

export interface DevDirectory {
  roles: Role[];
  tenants: { id: string; name: string; storageRegion?: string; users: { id: string; userPrincipalName: string }[] }[];
}

/** An error of the gateway's HTTP endpoints, with its code, as `{ error: { code, message } }` carries it. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

async function readJson<T>(response: Response): Promise<T> {
  const body = (await response.json().catch(() => null)) as ({ error?: { code?: string; message?: string } } & T) | null;
  if (!response.ok) {
    throw new ApiError(body?.error?.message ?? `the gateway answered ${response.status}`, body?.error?.code ?? `HTTP_${response.status}`);
  }
  return body as T;
}

export async function loadConfig(): Promise<ConsoleConfig> {
  return readJson<ConsoleConfig>(await fetch("/console/config.json", { cache: "no-store" }));
}

async function sessionFor(token: string, signOut: () => Promise<void>): Promise<Session> {
  const who = await readJson<{ role: Role; tenantId: string | null; userId: string | null; subject: string }>(
    await fetch("/console/session", { headers: { authorization: `Bearer ${token}` }, cache: "no-store" }),
  );
  return { token, ...who, signOut };
}

export async function loadDevDirectory(): Promise<DevDirectory> {
  return readJson<DevDirectory>(await fetch("/console/dev-sign-in/directory", { cache: "no-store" }));
}

export async function devSignIn(input: { role: Role; tenantId: string; userId: string; name: string }): Promise<Session> {
  const { token } = await readJson<{ token: string }>(
    await fetch("/console/dev-sign-in", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(input) }),
  );
  return sessionFor(token, async () => undefined);
}

/**
 * OIDC authorization code with PKCE, in a popup so the verifier and state never leave this
 * page's memory. oidc-client-ts is loaded only where OIDC is configured.
 */
export async function oidcManager(config: { issuer: string; clientId: string; scope: string }): Promise<UserManager> {
  const { InMemoryWebStorage, UserManager, WebStorageStateStore } = await import("oidc-client-ts");
  const store = new WebStorageStateStore({ store: new InMemoryWebStorage() });
  return new UserManager({
    authority: config.issuer,
    client_id: config.clientId,
    redirect_uri: `${location.origin}/console/oidc-callback.html`,
    popup_redirect_uri: `${location.origin}/console/oidc-callback.html`,
    post_logout_redirect_uri: `${location.origin}/console/`,
    response_type: "code",
    scope: config.scope,
    userStore: store,
    stateStore: new WebStorageStateStore({ store: new InMemoryWebStorage() }),
    automaticSilentRenew: false,
    monitorSession: false,
    loadUserInfo: false,
  });
}

export async function oidcSignIn(manager: UserManager): Promise<Session> {
  const user = await manager.signinPopup();
  // The API's audience is on the access token; the gateway reads the role and tenant from it.
  return sessionFor(user.access_token, async () => {
    await manager.removeUser();
  });
}
