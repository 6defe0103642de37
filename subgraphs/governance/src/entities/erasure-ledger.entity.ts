import { Column, Entity, PrimaryColumn } from "typeorm";
import { TimeColumn } from "@dgg/common";

/**
 * One erased person, as an HMAC of the user id under the ledger key: enough to recognise
 * the id if it comes back from a restored backup, useless to anyone without the key. Kept
 * as long as backups may be restored, i.e. after the request and its receipt are purged.
 */
@Entity({ name: "erasure_ledger" })
export class ErasureLedgerRecord {
  @PrimaryColumn({ name: "subject_hash", type: "varchar", length: 64 })
  subjectHash!: string;

  @TimeColumn({ name: "erased_at" })
  erasedAt!: Date;

  /** How many times a replay found the person again and erased them. */
  @Column({ name: "replays", type: "integer" })
  replays!: number;

  @TimeColumn({ name: "last_replayed_at", nullable: true })
  lastReplayedAt!: Date | null;
}
