import { Field, ID, InputType, Int, ObjectType } from "type-graphql";
import { connectionTypes, DataCategory, JSONObject, PrivacyRequestKind, PrivacyRequestStatus, Region } from "@dgg/common";
import type { Connection } from "@dgg/common";
import { UserRecord } from "../../personal-data/user-record.type";

@ObjectType("ExportCategoryCount")
export class ExportCategoryCount {
  @Field(() => DataCategory)
  category!: DataCategory;

  @Field(() => Int)
  records!: number;
}

@ObjectType("PersonalDataExport", { description: "The electronic copy made before erasure." })
export class PersonalDataExport {
  @Field(() => Region)
  region!: Region;

  @Field(() => String, { description: "Where the archive is stored, inside the tenant's region." })
  location!: string;

  @Field(() => String)
  format!: string;

  @Field(() => String)
  sha256!: string;

  @Field(() => Int)
  byteSize!: number;

  @Field(() => [ExportCategoryCount])
  counts!: ExportCategoryCount[];

  @Field(() => Date)
  createdAt!: Date;
}

@ObjectType("ErasureCount")
export class ErasureCount {
  @Field(() => DataCategory)
  category!: DataCategory;

  @Field(() => Int)
  erased!: number;
}

@ObjectType("PrivacyRequestProgress", { description: "How far a request has come with one category." })
export class PrivacyRequestProgress {
  @Field(() => DataCategory)
  category!: DataCategory;

  @Field(() => Int, { description: "Records written to the archive so far." })
  exported!: number;

  @Field(() => Boolean, { description: "The category's archive file is complete." })
  exportComplete!: boolean;

  @Field(() => Int, { description: "Records erased (or, for the audit log, unlinked) so far." })
  erased!: number;
}

@ObjectType("PrivacyRequestSteps", { description: "When each step of a request happened." })
export class PrivacyRequestSteps {
  @Field(() => Date)
  receivedAt!: Date;

  @Field(() => Date, { nullable: true })
  exportStartedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: "The archive was read back and verified." })
  exportVerifiedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  erasureStartedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  completedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  failedAt!: Date | null;
}

@ObjectType("PrivacyReceiptErasure")
export class PrivacyReceiptErasure {
  @Field(() => String, { description: "The data subgraph that erased." })
  subgraph!: string;

  @Field(() => DataCategory)
  category!: DataCategory;

  @Field(() => Int)
  erased!: number;

  @Field(() => Date)
  erasedAt!: Date;
}

@ObjectType("PrivacyReceipt", { description: "Evidence of a completed request, kept for one year." })
export class PrivacyReceipt {
  @Field(() => String, { description: "SHA-256 of the archive's manifest.json, which holds every file's SHA-256." })
  manifestSha256!: string;

  @Field(() => [ExportCategoryCount])
  exported!: ExportCategoryCount[];

  @Field(() => [PrivacyReceiptErasure])
  erasures!: PrivacyReceiptErasure[];

  @Field(() => String, { description: "Who filed the request." })
  requestedBy!: string;

  @Field(() => Date)
  requestedAt!: Date;

  @Field(() => Date)
  completedAt!: Date;

  @Field(() => Date)
  expiresAt!: Date;
}

@ObjectType("PrivacyRequest")
export class PrivacyRequest extends UserRecord {
  @Field(() => PrivacyRequestStatus)
  status!: PrivacyRequestStatus;

  @Field(() => String, { nullable: true })
  reason!: string | null;

  @Field(() => PersonalDataExport, { nullable: true })
  export!: PersonalDataExport | null;

  @Field(() => [ErasureCount])
  erasures!: ErasureCount[];

  @Field(() => String, { nullable: true })
  error!: string | null;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  completedAt!: Date | null;

  @Field(() => PrivacyRequestKind)
  kind!: PrivacyRequestKind;

  @Field(() => String, { description: "Who filed the request." })
  requestedBy!: string;

  @Field(() => Date, { description: "30 days after receipt, plus any extensions: when the answer is due." })
  dueAt!: Date;

  @Field(() => Boolean, { description: "Not finished (COMPLETED, DENIED, CANCELED) and past dueAt." })
  overdue!: boolean;

  @Field(() => [PrivacyRequestProgress])
  progress!: PrivacyRequestProgress[];

  @Field(() => PrivacyRequestSteps)
  steps!: PrivacyRequestSteps;

  @Field(() => Int, { description: "Attempts made by the workers so far." })
  attempts!: number;

  @Field(() => String, { nullable: true, description: "The last attempt's error, kept while the request waits to retry." })
  lastError!: string | null;

  @Field(() => Date, { nullable: true })
  lastErrorAt!: Date | null;

  @Field(() => Date, { nullable: true, description: "When the next attempt may start, while waiting after a failed one." })
  nextAttemptAt!: Date | null;

  @Field(() => Date, { nullable: true, description: "When the archive will be (or was) purged." })
  archiveExpiresAt!: Date | null;

  @Field(() => Boolean)
  archivePurged!: boolean;

  @Field(() => PrivacyReceipt, { nullable: true })
  receipt!: PrivacyReceipt | null;

  @Field(() => String, { nullable: true, description: "Who approved the request, when the tenant's policy required approval: never its requester." })
  approvedBy!: string | null;

  @Field(() => Date, { nullable: true })
  approvedAt!: Date | null;

  @Field(() => String, { nullable: true, description: "Why the request was denied or canceled." })
  decisionReason!: string | null;

  @Field(() => [DeadlineExtension])
  deadlineExtensions!: DeadlineExtension[];
}

@ObjectType("DeadlineExtension", { description: "One extension of a request's due date (GDPR Art. 12(3)); at most 60 days in all." })
export class DeadlineExtension {
  @Field(() => Int)
  days!: number;

  @Field(() => String)
  reason!: string;

  @Field(() => String)
  extendedBy!: string;

  @Field(() => Date)
  extendedAt!: Date;
}

@ObjectType("PrivacyRequestEvent", { description: "One step in a request's history." })
export class PrivacyRequestEvent {
  @Field(() => Date)
  at!: Date;

  @Field(() => String, { description: "The identity that acted, or privacy-worker for the engine's own steps." })
  actor!: string;

  @Field(() => String, {
    description: "FILED, APPROVED, DENIED, CANCELED, EXTENDED, HELD, RESUMED, EXPORT_STARTED, EXPORTED, VERIFIED, ERASURE_STARTED, COMPLETED, FAILED, RETRIED, FREEZE_LIFTED or DOWNLOADED.",
  })
  action!: string;

  @Field(() => PrivacyRequestStatus, { nullable: true, description: "The request's status after the step." })
  status!: PrivacyRequestStatus | null;

  @Field(() => JSONObject, { nullable: true })
  details!: Record<string, unknown> | null;
}

export const { Edge: PrivacyRequestEventEdge, Connection: PrivacyRequestEventConnection } = connectionTypes("PrivacyRequestEvent", PrivacyRequestEvent);
export type PrivacyRequestEventConnection = Connection<PrivacyRequestEvent>;

@ObjectType("PrivacyRequestPolicy", { description: "A tenant's rules for its privacy requests. Both flags are false until set." })
export class PrivacyRequestPolicy {
  @Field(() => ID)
  tenantId!: string;

  @Field(() => Boolean, { description: "A RESTRICT_PROCESSING request waits in AWAITING_APPROVAL for a second person." })
  erasureRequiresApproval!: boolean;

  @Field(() => Boolean, { description: "An ACCESS request waits in AWAITING_APPROVAL for a second person." })
  accessRequiresApproval!: boolean;
}

@InputType("PrivacyRequestPolicyInput")
export class PrivacyRequestPolicyInput {
  @Field(() => Boolean)
  erasureRequiresApproval!: boolean;

  @Field(() => Boolean)
  accessRequiresApproval!: boolean;
}

export const { Edge: PrivacyRequestEdge, Connection: PrivacyRequestConnection } = connectionTypes("PrivacyRequest", PrivacyRequest);
export type PrivacyRequestConnection = Connection<PrivacyRequest>;

@ObjectType("PrivacyExportDownload", { description: "A short-lived link to a request's archive, usable only with the token of the identity it was issued to." })
export class PrivacyExportDownload {
  @Field(() => String, {
    description: "GET it (with the same bearer token) for manifest.json; append /<file> for each file the manifest lists, or add ?format=zip for the whole archive as one zip.",
  })
  url!: string;

  @Field(() => [String])
  files!: string[];

  @Field(() => Date)
  expiresAt!: Date;
}
