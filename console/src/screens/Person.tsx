import { useState } from "react";
import { useClient, useMutation, useQuery } from "urql";
import type { PersonalDataQuery as PersonalDataResult } from "../gql/graphql";
import { LiftHold, PersonalDataQuery, PlaceHold, RequestExport, RestrictProcessing, UserByPrincipalName } from "../operations";
import { go, href } from "../router";
import { may } from "../roles";
import type { Session } from "../session";
import { ErrorBox, ReasonAction, Time, unwrap } from "../ui";
import { DataTable } from "../table";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function PersonScreen({ session, userId }: { session: Session; userId?: string | undefined }) {
  const client = useClient();
  const [search, setSearch] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const selfOnly = session.role === "data-subject";
  const target = userId ?? (selfOnly ? (session.userId ?? undefined) : undefined);
  return (
    <>
      <h1 tabIndex={-1}>Find a person</h1>
      {!selfOnly && (
        <form
          className="search"
          role="search"
          onSubmit={(event) => {
            event.preventDefault();
            const value = search.trim();
            if (!value) return;
            setError(null);
            if (UUID.test(value)) {
              go("person", value);
              return;
            }
            setBusy(true);
            client
              .query(UserByPrincipalName, { name: value })
              .toPromise()
              .then((result) => {
                if (result.error) throw result.error;
                const found = result.data?.userByPrincipalName;
                if (!found) setError(new Error(`No user ${value} in your tenant`));
                else go("person", found.id);
              })
              .catch(setError)
              .finally(() => setBusy(false));
          }}
        >
          <label htmlFor="person-search">Principal name or user id</label>
          <div className="row">
            <input id="person-search" type="search" value={search} onChange={(event) => setSearch(event.target.value)} placeholder="ada0@contoso.eu" autoComplete="off" />
            <button type="submit" className="primary" disabled={busy}>
              Find
            </button>
          </div>
        </form>
      )}
      <ErrorBox error={error} />
      {target && <PersonData key={target} session={session} userId={target} />}
    </>
  );
}

type Data = NonNullable<PersonalDataResult["personalData"]>;
const CATEGORIES = ["ACCOUNT", "SERVICE_DATA", "TELEMETRY", "AUDIT_LOG"] as const;
const CATEGORY_LABELS: Record<string, string> = { ACCOUNT: "Account", SERVICE_DATA: "Devices (service data)", TELEMETRY: "Telemetry", AUDIT_LOG: "Audit log" };

function categoryItems(data: Data, category: string): { count: number; recent: string[] } {
  switch (category) {
    case "ACCOUNT":
      return { count: data.account ? 1 : 0, recent: data.account ? [`${data.account.displayName} <${data.account.userPrincipalName}>, ${data.account.managementState}`] : [] };
    case "SERVICE_DATA":
      return { count: data.devices.totalCount, recent: data.devices.edges.map((e) => `${e.node.deviceName} (${e.node.operatingSystem})`) };
    case "TELEMETRY":
      return { count: data.telemetry.totalCount, recent: data.telemetry.edges.map((e) => `${e.node.kind} at ${e.node.occurredAt.slice(0, 16).replace("T", " ")}`) };
    default:
      return { count: data.auditLog.totalCount, recent: data.auditLog.edges.map((e) => `${e.node.action} (${e.node.outcome}) by ${e.node.actor}`) };
  }
}

function PersonData({ session, userId }: { session: Session; userId: string }) {
  const [{ data, fetching, error }, refetch] = useQuery({ query: PersonalDataQuery, variables: { user: userId } });
  const [, requestExport] = useMutation(RequestExport);
  const [, restrict] = useMutation(RestrictProcessing);
  const [, placeHold] = useMutation(PlaceHold);
  const [, liftHold] = useMutation(LiftHold);
  const [filed, setFiled] = useState<{ id: string; kind: string; status: string } | null>(null);
  if (fetching && !data) return <p aria-live="polite">Loading…</p>;
  if (error) return <ErrorBox error={error} />;
  const person = data?.personalData;
  if (!person) return <p>Nothing is held about this user.</p>;
  const hold = person.retention.find((r) => r.legalHold?.active)?.legalHold ?? null;
  const refresh = () => refetch({ requestPolicy: "network-only" });
  return (
    <section aria-labelledby="person-title" className="person">
      <h2 id="person-title">
        {person.account?.displayName ?? "Unknown account"} <span className="muted mono">{person.account?.userPrincipalName ?? person.userId}</span>
      </h2>
      <p className="meta">
        User id <span className="mono">{person.userId}</span> · stored in <strong>{person.residency.region}</strong>
        {hold && (
          <>
            {" "}
            · <span className="badge hold">Legal hold</span>
          </>
        )}
      </p>
      {hold && (
        <p className="notice" role="status">
          Legal hold placed by {hold.placedBy} on <Time value={hold.placedAt} />: {hold.reason}. Retention keeps all of this person&apos;s data and a
          restriction waits until the hold is lifted.
        </p>
      )}
      <div className="actions" aria-label="Actions on this person" role="group">
        {may(session.role, "requestPersonalDataExport") && (
          <ReasonAction
            label="File an access request"
            confirmLabel="File access request"
            onSubmit={async (reason) => {
              const result = unwrap(await requestExport({ user: userId, reason: reason || null }));
              setFiled(result.data?.requestPersonalDataExport ?? null);
            }}
          />
        )}
        {may(session.role, "restrictProcessing") && (
          <ReasonAction
            label="File a restriction"
            confirmLabel="File restriction (export, then erase)"
            danger
            onSubmit={async (reason) => {
              const result = unwrap(await restrict({ user: userId, reason: reason || null }));
              setFiled(result.data?.restrictProcessing ?? null);
            }}
          />
        )}
        {may(session.role, "placeLegalHold") && !hold && (
          <ReasonAction
            label="Place a legal hold"
            confirmLabel="Place hold"
            reasonRequired
            onSubmit={async (reason) => {
              unwrap(await placeHold({ user: userId, reason }));
              refresh();
            }}
          />
        )}
        {may(session.role, "liftLegalHold") && hold && (
          <ReasonAction
            label="Lift the legal hold"
            confirmLabel="Lift hold"
            onSubmit={async (reason) => {
              unwrap(await liftHold({ user: userId, reason: reason || null }));
              refresh();
            }}
          />
        )}
      </div>
      {filed && (
        <p className="success" role="status">
          Filed: {filed.kind === "ACCESS" ? "access request" : "restriction"} <span className="mono">{filed.id}</span>, {filed.status.replace(/_/g, " ")}.{" "}
          {may(session.role, "privacyRequest") && <a href={href("requests", filed.id)}>Follow the request</a>}
        </p>
      )}
      <h3>Data by category</h3>
      <DataTable caption="What is held about this person, by category" columns={["Category", "Records", "Recent", "Where", "Retention"]} cards>
        {CATEGORIES.map((category) => {
          const items = categoryItems(person, category);
          const locations = person.residency.locations.filter((l) => l.category === category);
          const retention = person.retention.find((r) => r.category === category);
          return (
            <tr key={category}>
              <th scope="row">{CATEGORY_LABELS[category]}</th>
              <td className="num" data-label="Records">
                {items.count}
              </td>
              <td data-label="Recent">
                {items.recent.length === 0 ? (
                  <span className="muted">none</span>
                ) : (
                  <ul className="plain">
                    {items.recent.map((text, index) => (
                      <li key={index}>{text}</li>
                    ))}
                  </ul>
                )}
              </td>
              <td data-label="Where">
                {locations.map((l) => (
                  <div key={`${l.kind}-${l.region}`}>
                    {l.region} · {l.kind.replace(/_/g, " ").toLowerCase()}
                  </div>
                ))}
              </td>
              <td data-label="Retention">
                {retention ? (
                  <>
                    <div>{retention.policy}</div>
                    <div>
                      Purge after: <Time value={retention.purgeAfter} />
                    </div>
                    {retention.scheduledPurgeAt && (
                      <div>
                        Scheduled: <Time value={retention.scheduledPurgeAt} />
                      </div>
                    )}
                    {retention.legalHold?.active && <div className="badge hold">Held</div>}
                  </>
                ) : (
                  <span className="muted">—</span>
                )}
              </td>
            </tr>
          );
        })}
      </DataTable>
      <h3>Processing statement</h3>
      <ul className="statement">
        <li>Processed on ISO-certified systems: {person.processing.isoCertifiedSystems ? "yes" : "no"}</li>
        <li>Used for profiling: {person.processing.usedForProfiling ? "yes" : "no"}</li>
        <li>Used for marketing: {person.processing.usedForMarketing ? "yes" : "no"}</li>
      </ul>
    </section>
  );
}
