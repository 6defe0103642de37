import { useState } from "react";
import { useQuery } from "urql";
import type { PrivacyRequestKind, PrivacyRequestStatus } from "../gql/graphql";
import { PrivacyRequests } from "../operations";
import { href } from "../router";
import type { Session } from "../session";
import { Countdown, ErrorBox, StatusBadge, Time } from "../ui";
import { DataTable } from "../table";
import { PAGE, ShowMore } from "../paging";

const STATUSES: PrivacyRequestStatus[] = ["AWAITING_APPROVAL", "RECEIVED", "EXPORTING", "EXPORTED", "ON_HOLD", "ERASING", "COMPLETED", "FAILED", "DENIED", "CANCELED"];
export const FINAL: string[] = ["COMPLETED", "DENIED", "CANCELED"];

export function RequestsScreen({ session }: { session: Session }) {
  const [status, setStatus] = useState<PrivacyRequestStatus | "">("");
  const [kind, setKind] = useState<PrivacyRequestKind | "">("");
  const [overdue, setOverdue] = useState(false);
  const [first, setFirst] = useState(PAGE);
  const [{ data, fetching, error }] = useQuery({
    query: PrivacyRequests,
    variables: { tenantId: session.tenantId ?? "", status: status || null, kind: kind || null, overdue: overdue ? true : null, first },
    pause: !session.tenantId,
  });
  const rows = data?.privacyRequests.edges ?? [];
  return (
    <>
      <h1 tabIndex={-1}>Requests</h1>
      <form className="filters" aria-label="Filter requests" onSubmit={(event) => event.preventDefault()}>
        <div>
          <label htmlFor="filter-status">Status</label>
          <select id="filter-status" value={status} onChange={(event) => setStatus(event.target.value as PrivacyRequestStatus | "")}>
            <option value="">Any</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s.replace(/_/g, " ").toLowerCase()}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="filter-kind">Kind</label>
          <select id="filter-kind" value={kind} onChange={(event) => setKind(event.target.value as PrivacyRequestKind | "")}>
            <option value="">Any</option>
            <option value="ACCESS">Access (copy)</option>
            <option value="RESTRICT_PROCESSING">Restriction (copy, then erase)</option>
          </select>
        </div>
        <div className="check">
          <input id="filter-overdue" type="checkbox" checked={overdue} onChange={(event) => setOverdue(event.target.checked)} />
          <label htmlFor="filter-overdue">Overdue only</label>
        </div>
      </form>
      <ErrorBox error={error} />
      <p aria-live="polite" className="muted">
        {fetching ? "Loading…" : `${data?.privacyRequests.totalCount ?? 0} request(s)`}
      </p>
      <DataTable caption="Privacy requests of the tenant, newest first" columns={["Request", "Kind", "Status", "Filed", "Due"]} cards>
        {rows.map(({ node }) => (
          <tr key={node.id} className={node.overdue ? "overdue-row" : undefined}>
            <td data-label="Request">
              <a href={href("requests", node.id)} className="mono">
                {node.id.slice(0, 8)}
              </a>
              <div className="muted small">user {node.userId.slice(0, 8)} · by {node.requestedBy}</div>
            </td>
            <td data-label="Kind">{node.kind === "ACCESS" ? "Access" : "Restriction"}</td>
            <td data-label="Status">
              <StatusBadge status={node.status} />
            </td>
            <td data-label="Filed">
              <Time value={node.createdAt} />
            </td>
            <td data-label="Due">
              <Countdown due={node.dueAt} done={FINAL.includes(node.status)} />
            </td>
          </tr>
        ))}
      </DataTable>
      <ShowMore hasNextPage={data?.privacyRequests.pageInfo.hasNextPage} first={first} fetching={fetching} setFirst={setFirst} />
    </>
  );
}
