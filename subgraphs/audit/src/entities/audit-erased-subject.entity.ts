import { Column, Entity, PrimaryColumn } from "typeorm";
import { TimeColumn } from "@dgg/common";

/**
 * A tombstone left by an audit erasure (docs/decisions/0033): the SHA-256 of an erased
 * user id, or of one of that user's IdP subjects, and the pseudonym that replaced it.
 * Every append looks its subject and actor up here, so an entry about or by the person
 * written after the erasure is stored already pseudonymised. Kept as long as the trail
 * it protects (AUDIT_RETENTION_MS), then purged with it.
 */
@Entity({ name: "audit_erased_subject" })
export class AuditErasedSubject {
  /** Lower-case hex SHA-256 of the erased value (see subjectHash). */
  @PrimaryColumn({ name: "subject_hash", type: "varchar", length: 64 })
  subjectHash!: string;

  @Column({ name: "pseudonym", type: "varchar", length: 64 })
  pseudonym!: string;

  @TimeColumn({ name: "erased_at" })
  erasedAt!: Date;
}
