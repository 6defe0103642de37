import { decodeCursor, encodeCursor, parseFirst } from "@dgg/common";
import type { PrivacyRequestStatus } from "@dgg/common";
import type { DataSource } from "typeorm";
import { PrivacyRequestEventRecord } from "../../entities/privacy-request-event.entity";
import type { PrivacyRequestEvent } from "./privacy-request.type";

/**
 * The steps of the request log that make its history, and the action each is shown as. The
 * log also holds the workers' bookkeeping (claims, file checkpoints, failed attempts), which
 * stays out of the history.
 */
const ACTIONS: Readonly<Record<string, string>> = {
  RECEIVED: "FILED",
  APPROVED: "APPROVED",
  DENIED: "DENIED",
  CANCELED: "CANCELED",
  DEADLINE_EXTENDED: "EXTENDED",
  ON_HOLD: "HELD",
  RESUMED: "RESUMED",
  EXPORT_STARTED: "EXPORT_STARTED",
  FILES_WRITTEN: "EXPORTED",
  ARCHIVE_VERIFIED: "VERIFIED",
  ERASE_STARTED: "ERASURE_STARTED",
  COMPLETED: "COMPLETED",
  FAILED: "FAILED",
  RETRY_REQUESTED: "RETRIED",
  FREEZE_LIFTED: "FREEZE_LIFTED",
  DOWNLOADED: "DOWNLOADED",
};
const HISTORY_STEPS = Object.keys(ACTIONS);

/** Shown as the actor of the engine's own steps. */
export const WORKER_ACTOR = "privacy-worker";

function toEvent(record: PrivacyRequestEventRecord): PrivacyRequestEvent {
  return {
    at: record.at,
    actor: record.actor ?? WORKER_ACTOR,
    action: ACTIONS[record.step] ?? record.step,
    status: record.status as PrivacyRequestStatus | null,
    details: record.detail,
  };
}

/** One page of a request's history, oldest first, keyset-paged on the log's sequence number. */
export async function historyPage(db: DataSource, requestId: string, rawFirst: number | null, after: string | null) {
  const first = parseFirst(rawFirst, 50);
  const base = () =>
    db.getRepository(PrivacyRequestEventRecord).createQueryBuilder("e").where("e.request_id = :requestId AND e.step IN (:...steps)", { requestId, steps: HISTORY_STEPS });
  const page = base().orderBy("e.seq", "ASC").take(first + 1);
  const cursor = decodeCursor(after, ["number"]);
  if (cursor) page.andWhere("e.seq > :seq", { seq: cursor[0] as number });
  const [rows, totalCount] = await Promise.all([page.getMany(), base().getCount()]);
  return { rows: rows.map((row) => ({ seq: row.seq, event: toEvent(row) })), first, totalCount, cursorOf: (row: { seq: number }) => encodeCursor([row.seq]) };
}
