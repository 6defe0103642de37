import { useState } from "react";
import { useQuery } from "urql";
import type { AuditOutcome } from "../gql/graphql";
import { TenantAuditLog } from "../operations";
import { ErrorBox, Time } from "../ui";
import { DataTable } from "../table";
import { PAGE, ShowMore } from "../paging";

/** The few details worth a glance (what was refused, and why; which request or file), as text. */
function summary(details: Record<string, unknown> | null | undefined): string {
  if (!details) return "";
  return ["operation", "reason", "requestId", "file", "format"]
    .filter((key) => typeof details[key] === "string" || typeof details[key] === "number")
    .map((key) => `${key}: ${String(details[key] as string | number)}`)
    .join(" · ");
}

export function AuditScreen() {
  const [outcome, setOutcome] = useState<AuditOutcome | "">("");
  const [first, setFirst] = useState(PAGE);
  const [{ data, fetching, error }] = useQuery({ query: TenantAuditLog, variables: { outcome: outcome || null, first } });
  const rows = data?.tenantAuditLog.edges ?? [];
  return (
    <>
      <h1 tabIndex={-1}>Audit trail</h1>
      <form className="filters" aria-label="Filter the audit trail" onSubmit={(event) => event.preventDefault()}>
        <div>
          <label htmlFor="filter-outcome">Outcome</label>
          <select id="filter-outcome" value={outcome} onChange={(event) => setOutcome(event.target.value as AuditOutcome | "")}>
            <option value="">Any</option>
            <option value="SUCCEEDED">Succeeded</option>
            <option value="FAILED">Failed</option>
            <option value="DENIED">Refused (denied)</option>
          </select>
        </div>
      </form>
      <ErrorBox error={error} />
      <p aria-live="polite" className="muted">
        {fetching ? "Loading…" : `${data?.tenantAuditLog.totalCount ?? 0} entries, newest first; refused attempts are highlighted`}
      </p>
      <DataTable caption="The tenant's audit trail" columns={["When", "Action", "Outcome", "Actor"]} cards>
        {rows.map(({ node }) => (
          <tr key={node.id} className={node.outcome === "DENIED" ? "refused" : undefined}>
            <td data-label="When">
              <Time value={node.occurredAt} />
            </td>
            <td data-label="Action">
              {node.action}
              {summary(node.details) && <div className="small">{summary(node.details)}</div>}
              {node.subjectUserId && <div className="muted small mono">about {node.subjectUserId.slice(0, 8)}</div>}
            </td>
            <td data-label="Outcome">{node.outcome === "DENIED" ? <span className="badge refused-badge">Refused</span> : node.outcome.toLowerCase()}</td>
            <td data-label="Actor">
              {node.actor} <span className="muted small">({node.actorRole})</span>
            </td>
          </tr>
        ))}
      </DataTable>
      <ShowMore hasNextPage={data?.tenantAuditLog.pageInfo.hasNextPage} first={first} fetching={fetching} setFirst={setFirst} />
    </>
  );
}
