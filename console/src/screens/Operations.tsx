import { useState } from "react";
import { useMutation, useQuery } from "urql";
import { ResidencyMoveQuery, RetentionRuns, RunRetention, Webhooks } from "../operations";
import { may } from "../roles";
import type { Session } from "../session";
import { ErrorBox, Time, unwrap } from "../ui";
import { DataTable } from "../table";

export function OperationsScreen({ session }: { session: Session }) {
  return (
    <>
      <h1 tabIndex={-1}>Operations</h1>
      {may(session.role, "retentionRuns") && <RetentionSection canRun={may(session.role, "runRetention")} />}
      {may(session.role, "residencyMove") && <ResidencySection session={session} />}
      {may(session.role, "webhooks") && session.tenantId && <WebhooksSection tenantId={session.tenantId} />}
    </>
  );
}

function RetentionSection({ canRun }: { canRun: boolean }) {
  const [{ data, error }, refetch] = useQuery({ query: RetentionRuns });
  const [, run] = useMutation(RunRetention);
  const [runError, setRunError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  return (
    <section aria-labelledby="retention-title">
      <h2 id="retention-title">Retention runs</h2>
      {canRun && (
        <button
          type="button"
          disabled={busy}
          onClick={() => {
            setBusy(true);
            setRunError(null);
            run({})
              .then(unwrap)
              .then(() => refetch({ requestPolicy: "network-only" }))
              .catch(setRunError)
              .finally(() => setBusy(false));
          }}
        >
          Run retention now
        </button>
      )}
      <ErrorBox error={error ?? runError} />
      <DataTable caption="Retention runs, newest first" columns={["Started", "Trigger", "Purged", "Held users", "Errors"]}>
        {(data?.retentionRuns.edges ?? []).map(({ node }) => (
          <tr key={node.id}>
            <td>
              <Time value={node.startedAt} />
            </td>
            <td>
              {node.trigger.toLowerCase()} <span className="muted small">by {node.triggeredBy}</span>
            </td>
            <td>{node.purges.map((p) => `${p.category.toLowerCase()}: ${p.purged}`).join(", ") || "nothing"}</td>
            <td className="num">{node.heldUsers}</td>
            <td>{node.errors.length === 0 ? "none" : node.errors.map((e) => e.message).join("; ")}</td>
          </tr>
        ))}
      </DataTable>
    </section>
  );
}

function ResidencySection({ session }: { session: Session }) {
  const [input, setInput] = useState(session.tenantId ?? "");
  const [tenantId, setTenantId] = useState(session.tenantId ?? "");
  const [{ data, error, fetching }] = useQuery({ query: ResidencyMoveQuery, variables: { tenantId }, pause: !tenantId });
  const move = data?.residencyMove;
  return (
    <section aria-labelledby="residency-title">
      <h2 id="residency-title">Residency moves</h2>
      {session.role === "operator" && (
        <form
          className="search"
          onSubmit={(event) => {
            event.preventDefault();
            setTenantId(input.trim());
          }}
        >
          <label htmlFor="move-tenant">Tenant id</label>
          <div className="row">
            <input id="move-tenant" value={input} onChange={(event) => setInput(event.target.value)} autoComplete="off" />
            <button type="submit">Show</button>
          </div>
        </form>
      )}
      <ErrorBox error={error} />
      {tenantId && !fetching && data && (
        <>
          <p>
            {data.tenant?.name ?? tenantId} is stored in <strong>{data.tenant?.storageRegion ?? "?"}</strong>.{" "}
            {move ? (
              <>
                Latest move: {move.fromRegion} → {move.toRegion}, <strong>{move.phase}</strong>, started <Time value={move.startedAt} />
                {move.error ? <span className="error-text"> (last error: {move.error})</span> : null}
              </>
            ) : (
              "It never moved."
            )}
          </p>
          {move && (
            <DataTable caption="Progress of the move per store" columns={["Store", "Stage", "Copied", "Verified", "Total"]}>
              {move.progress.map((p) => (
                <tr key={p.store}>
                  <th scope="row">{p.store}</th>
                  <td>{p.stage}</td>
                  <td className="num">{p.copied}</td>
                  <td className="num">{p.verified}</td>
                  <td className="num">{p.total}</td>
                </tr>
              ))}
            </DataTable>
          )}
        </>
      )}
    </section>
  );
}

function WebhooksSection({ tenantId }: { tenantId: string }) {
  const [{ data, error }] = useQuery({ query: Webhooks, variables: { tenantId } });
  const hooks = data?.webhooks ?? [];
  return (
    <section aria-labelledby="webhooks-title">
      <h2 id="webhooks-title">Webhook deliveries</h2>
      <ErrorBox error={error} />
      {hooks.length === 0 && <p className="muted">No webhooks are registered for this tenant.</p>}
      {hooks.map((hook) => (
        <div key={hook.id} className="card">
          <h3 className="mono wrap">{hook.url}</h3>
          <p className="small muted">
            {hook.events.join(", ")} · {hook.deliveries.totalCount} deliveries
          </p>
          <DataTable caption={`Recent deliveries to ${hook.url}`} columns={["Event", "Status", "Attempts", "Last answer", "Created"]}>
            {hook.deliveries.edges.map(({ node }) => (
              <tr key={node.id} className={node.status === "FAILED" ? "refused" : undefined}>
                <td>{node.event}</td>
                <td>{node.status}</td>
                <td className="num">{node.attempts}</td>
                <td>{node.lastResponseStatus ?? node.lastError ?? "—"}</td>
                <td>
                  <Time value={node.createdAt} />
                </td>
              </tr>
            ))}
          </DataTable>
        </div>
      ))}
    </section>
  );
}
