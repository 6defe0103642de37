import { useEffect, useState } from "react";
import type { ReactNode } from "react";
import { useMutation, useQuery } from "urql";
import { ApproveRequest, CancelRequest, CreateDownload, DenyRequest, ExtendRequest, PrivacyRequestDetail, RetryRequest } from "../operations";
import { href } from "../router";
import { may } from "../roles";
import { ApiError } from "../session";
import type { Session } from "../session";
import { Countdown, ErrorBox, ReasonAction, StatusBadge, Time, unwrap } from "../ui";
import { DataTable } from "../table";
import { FINAL } from "./Requests";

const BEFORE_ERASURE = ["AWAITING_APPROVAL", "RECEIVED", "EXPORTING", "EXPORTED", "ON_HOLD", "FAILED"];

/** Fetches a download link's file with the bearer token (same origin) and saves it. */
async function download(session: Session, url: string, file: string | null, format: string | null): Promise<string> {
  const link = new URL(url, location.origin);
  // Always through this origin's gateway: the link's path, whatever host governance put in it.
  let path = link.pathname;
  if (file) path += `/${encodeURIComponent(file)}`;
  if (format) path += `?format=${encodeURIComponent(format)}`;
  const response = await fetch(path, { headers: { authorization: `Bearer ${session.token}` }, credentials: "omit", cache: "no-store" });
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
    throw new ApiError(body?.error?.message ?? `download failed (${response.status})`, body?.error?.code ?? `HTTP_${response.status}`);
  }
  const blob = await response.blob();
  const name = format === "zip" ? "privacy-export.zip" : (file ?? "manifest.json");
  const objectUrl = URL.createObjectURL(blob);
  const anchor = document.createElement("a");
  anchor.href = objectUrl;
  anchor.download = name;
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(objectUrl), 10_000);
  return `Saved ${name} (${blob.size.toLocaleString("en")} bytes)`;
}

export function RequestDetailScreen({ session, id }: { session: Session; id: string }) {
  const [{ data, error, fetching }, refetch] = useQuery({ query: PrivacyRequestDetail, variables: { id } });
  const request = data?.privacyRequest;
  const live = !!request && !FINAL.includes(request.status);
  useEffect(() => {
    if (!live) return;
    // Live progress: poll while the request is still moving.
    const timer = setInterval(() => refetch({ requestPolicy: "network-only" }), 1000);
    return () => clearInterval(timer);
  }, [live, refetch]);
  const [, approve] = useMutation(ApproveRequest);
  const [, deny] = useMutation(DenyRequest);
  const [, cancel] = useMutation(CancelRequest);
  const [, extend] = useMutation(ExtendRequest);
  const [, retry] = useMutation(RetryRequest);
  const [, createDownload] = useMutation(CreateDownload);
  const [actionError, setActionError] = useState<unknown>(null);
  const [downloaded, setDownloaded] = useState("");
  const [busy, setBusy] = useState(false);

  // The back link and the heading stay the same elements while loading, so the focus put on the heading stays there.
  const top = (title: ReactNode) => (
    <>
      <p>
        <a href={href("requests")}>← All requests</a>
      </p>
      <h1 tabIndex={-1}>{title}</h1>
    </>
  );
  if (!request) {
    return (
      <>
        {top("Request")}
        {fetching ? <p aria-live="polite">Loading…</p> : error ? <ErrorBox error={error} /> : <p>No such request.</p>}
      </>
    );
  }
  const own = request.requestedBy === session.subject;
  const run = (action: () => Promise<unknown>) => {
    setBusy(true);
    setActionError(null);
    action()
      .then(() => refetch({ requestPolicy: "network-only" }))
      .catch(setActionError)
      .finally(() => setBusy(false));
  };
  const downloadable = !!request.export && !request.archivePurged && ["EXPORTED", "ON_HOLD", "ERASING", "COMPLETED"].includes(request.status);
  const fetchFile = (file: string | null, format: string | null) =>
    run(async () => {
      const result = unwrap(await createDownload({ id: request.id }));
      const link = result.data?.createPrivacyExportDownload;
      if (!link) throw new Error("no download link was issued");
      setDownloaded(await download(session, link.url, file, format));
    });
  return (
    <>
      {top(
        <>
          {request.kind === "ACCESS" ? "Access request" : "Restriction"} <span className="mono small">{request.id}</span>
        </>,
      )}
      <dl className="facts">
        <dt>Status</dt>
        <dd>
          <span aria-live="polite" data-testid="request-status">
            <StatusBadge status={request.status} />
          </span>
        </dd>
        <dt>Person</dt>
        <dd>
          {may(session.role, "personalData") ? (
            <a href={href("person", request.userId)} className="mono">
              {request.userId}
            </a>
          ) : (
            <span className="mono">{request.userId}</span>
          )}
        </dd>
        <dt>Filed by</dt>
        <dd>
          {request.requestedBy} on <Time value={request.createdAt} />
          {request.reason ? `: ${request.reason}` : ""}
        </dd>
        <dt>Due</dt>
        <dd>
          <Time value={request.dueAt} /> (<Countdown due={request.dueAt} done={FINAL.includes(request.status)} />)
        </dd>
        {request.approvedBy && (
          <>
            <dt>Approved by</dt>
            <dd>
              {request.approvedBy} on <Time value={request.approvedAt} />
            </dd>
          </>
        )}
        {request.decisionReason && (
          <>
            <dt>Decision</dt>
            <dd>{request.decisionReason}</dd>
          </>
        )}
        {(request.lastError ?? request.error) && (
          <>
            <dt>Last error</dt>
            <dd className="error-text">
              {request.lastError ?? request.error} (attempt {request.attempts}
              {request.nextAttemptAt ? <>, next at <Time value={request.nextAttemptAt} /></> : null})
            </dd>
          </>
        )}
      </dl>

      <div className="actions" role="group" aria-label="Actions on this request">
        {request.status === "AWAITING_APPROVAL" && may(session.role, "approvePrivacyRequest") && (
          <>
            <button type="button" className="primary" disabled={own || busy} aria-describedby={own ? "own-request" : undefined} onClick={() => run(async () => unwrap(await approve({ id: request.id })))}>
              Approve
            </button>
            {own && (
              <p id="own-request" className="notice small">
                You filed this request, so you cannot approve it: four eyes, another admin or privacy officer of the tenant must.
              </p>
            )}
          </>
        )}
        {request.status === "AWAITING_APPROVAL" && may(session.role, "denyPrivacyRequest") && (
          <ReasonAction label="Deny" confirmLabel="Deny request" reasonRequired danger onSubmit={async (reason) => refetchAfter(refetch, unwrap(await deny({ id: request.id, reason })))} />
        )}
        {BEFORE_ERASURE.includes(request.status) && may(session.role, "cancelPrivacyRequest") && (
          <ReasonAction label="Cancel" confirmLabel="Cancel request" reasonRequired danger onSubmit={async (reason) => refetchAfter(refetch, unwrap(await cancel({ id: request.id, reason })))} />
        )}
        {!FINAL.includes(request.status) && may(session.role, "extendPrivacyRequestDeadline") && (
          <ReasonAction
            label="Extend deadline"
            confirmLabel="Extend"
            reasonRequired
            extra={(fieldId) => (
              <>
                <label htmlFor={`${fieldId}-days`}>Days (at most 60 in all)</label>
                <input id={`${fieldId}-days`} name="days" type="number" min={1} max={60} defaultValue={30} required />
              </>
            )}
            onSubmit={async (reason, form) => refetchAfter(refetch, unwrap(await extend({ id: request.id, reason, days: Number(form.get("days")) })))}
          />
        )}
        {request.status === "FAILED" && may(session.role, "retryPrivacyRequest") && (
          <button type="button" disabled={busy} onClick={() => run(async () => unwrap(await retry({ id: request.id })))}>
            Retry
          </button>
        )}
        {downloadable && may(session.role, "createPrivacyExportDownload") && (
          <>
            <button type="button" disabled={busy} onClick={() => fetchFile(null, null)}>
              Download manifest
            </button>
            <button type="button" disabled={busy} onClick={() => fetchFile("report.html", null)}>
              Download report
            </button>
            <button type="button" disabled={busy} onClick={() => fetchFile(null, "zip")}>
              Download zip
            </button>
          </>
        )}
      </div>
      <ErrorBox error={actionError} />
      {downloaded && (
        <p className="success" role="status" data-testid="downloaded">
          {downloaded}
        </p>
      )}

      <h2>Progress</h2>
      <DataTable caption="Records exported and erased per category" columns={["Category", "Exported", "Erased"]}>
        {request.progress.map((p) => (
          <tr key={p.category}>
            <th scope="row">{p.category.replace(/_/g, " ").toLowerCase()}</th>
            <td>
              <span className="num">{p.exported}</span> {p.exportComplete ? "✓ complete" : ""}
            </td>
            <td className="num">{p.erased}</td>
          </tr>
        ))}
      </DataTable>

      {request.receipt && (
        <>
          <h2>Receipt</h2>
          <dl className="facts">
            <dt>Manifest SHA-256</dt>
            <dd className="mono wrap">{request.receipt.manifestSha256}</dd>
            <dt>Completed</dt>
            <dd>
              <Time value={request.receipt.completedAt} />
            </dd>
            <dt>Exported</dt>
            <dd>{request.receipt.exported.map((c) => `${c.category.toLowerCase()}: ${c.records}`).join(", ")}</dd>
            <dt>Kept until</dt>
            <dd>
              <Time value={request.receipt.expiresAt} />
            </dd>
          </dl>
        </>
      )}
      {request.export && !request.receipt && (
        <>
          <h2>Archive</h2>
          <p>
            {request.export.byteSize.toLocaleString("en")} bytes in {request.export.region}, SHA-256 <span className="mono wrap">{request.export.sha256}</span>
          </p>
        </>
      )}

      <h2>History</h2>
      <ol className="timeline">
        {request.history.edges.map(({ node }, index) => (
          <li key={index}>
            <Time value={node.at} /> <strong>{node.action}</strong> by {node.actor}
            {node.status ? <> → {node.status.replace(/_/g, " ")}</> : null}
          </li>
        ))}
      </ol>
      {request.deadlineExtensions.length > 0 && (
        <>
          <h2>Deadline extensions</h2>
          <ul>
            {request.deadlineExtensions.map((e, index) => (
              <li key={index}>
                {e.days} days by {e.extendedBy} on <Time value={e.extendedAt} />: {e.reason}
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}

function refetchAfter(refetch: (options: { requestPolicy: "network-only" }) => void, result: unknown): unknown {
  refetch({ requestPolicy: "network-only" });
  return result;
}
