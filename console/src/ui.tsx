// Small building blocks shared by the screens: errors with their code, times, forms with a reason.
import { useEffect, useId, useRef, useState } from "react";
import type { ReactNode } from "react";
import type { CombinedError } from "urql";
import { ApiError } from "./session";

/** Every error as the API gave it: its message and `extensions.code`. */
export function describeError(error: unknown): { message: string; code: string }[] {
  if (error instanceof ApiError) return [{ message: error.message, code: error.code }];
  const combined = error as Partial<CombinedError> | null;
  if (combined && Array.isArray(combined.graphQLErrors) && combined.graphQLErrors.length > 0) {
    return combined.graphQLErrors.map((e) => ({ message: e.message, code: typeof e.extensions?.code === "string" ? e.extensions.code : "UNKNOWN" }));
  }
  if (combined?.networkError) return [{ message: combined.networkError.message, code: "NETWORK_ERROR" }];
  return [{ message: error instanceof Error ? error.message : String(error), code: "UNKNOWN" }];
}

export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <div className="error" role="alert">
      {describeError(error).map((e, index) => (
        <p key={index}>
          <strong>{e.code}</strong>: {e.message}
        </p>
      ))}
    </div>
  );
}

export function formatTime(value: string | null | undefined): string {
  if (!value) return "—";
  const date = new Date(value);
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

export function Time({ value }: { value: string | null | undefined }) {
  if (!value) return <span>—</span>;
  return <time dateTime={value}>{formatTime(value)}</time>;
}

/** "due in 12 days 3 h" or "overdue by 2 days", against the page's clock, ticking every minute. */
export function Countdown({ due, done }: { due: string; done?: boolean }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 60_000);
    return () => clearInterval(timer);
  }, []);
  if (done) return <span className="muted">closed</span>;
  const ms = new Date(due).getTime() - now;
  const abs = Math.abs(ms);
  const days = Math.floor(abs / 86_400_000);
  const hours = Math.floor((abs % 86_400_000) / 3_600_000);
  const text = days > 0 ? `${days} d ${hours} h` : `${hours} h ${Math.floor((abs % 3_600_000) / 60_000)} min`;
  return ms >= 0 ? <span className="countdown">due in {text}</span> : <span className="countdown overdue">overdue by {text}</span>;
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge status-${status.toLowerCase()}`}>{status.replace(/_/g, " ")}</span>;
}

/** A button that opens a small form asking for a reason (and more fields if given), then runs `onSubmit`. */
export function ReasonAction(props: {
  label: string;
  confirmLabel?: string;
  reasonRequired?: boolean;
  disabled?: boolean;
  danger?: boolean;
  extra?: (id: string) => ReactNode;
  onSubmit: (reason: string, form: FormData) => Promise<unknown>;
}) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const toggle = useRef<HTMLButtonElement>(null);
  const wasOpen = useRef(false);
  useEffect(() => {
    // Into the form when it opens; back to its button when it closes (if the button is still there).
    if (open) input.current?.focus();
    else if (wasOpen.current) toggle.current?.focus();
    wasOpen.current = open;
  }, [open]);
  if (!open) {
    return (
      <button type="button" ref={toggle} className={props.danger ? "danger" : undefined} disabled={props.disabled} onClick={() => setOpen(true)}>
        {props.label}
      </button>
    );
  }
  return (
    <form
      className="inline-form"
      aria-label={props.label}
      onSubmit={(event) => {
        event.preventDefault();
        const form = new FormData(event.currentTarget);
        const reason = form.get("reason");
        setBusy(true);
        setError(null);
        props
          .onSubmit(typeof reason === "string" ? reason : "", form)
          .then(() => setOpen(false))
          .catch((e: unknown) => setError(e))
          .finally(() => setBusy(false));
      }}
    >
      <label htmlFor={`${id}-reason`}>Reason{props.reasonRequired ? "" : " (optional)"}</label>
      <input id={`${id}-reason`} name="reason" ref={input} required={props.reasonRequired} maxLength={500} />
      {props.extra?.(id)}
      <div className="buttons">
        <button type="submit" className={props.danger ? "danger" : "primary"} disabled={busy}>
          {props.confirmLabel ?? props.label}
        </button>
        <button type="button" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
      <ErrorBox error={error} />
    </form>
  );
}

/** Throws a mutation's error so callers can show it; urql resolves with `{ error }` instead of rejecting. */
export function unwrap<T extends { error?: CombinedError | undefined }>(result: T): T {
  if (result.error) throw result.error;
  return result;
}
