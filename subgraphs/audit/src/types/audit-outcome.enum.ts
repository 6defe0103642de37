import { registerEnumType } from "type-graphql";

/** How the recorded attempt ended; DENIED entries are the access audit's refusals. */
export enum AuditOutcome {
  SUCCEEDED = "SUCCEEDED",
  DENIED = "DENIED",
  FAILED = "FAILED",
}

registerEnumType(AuditOutcome, { name: "AuditOutcome", description: "How the recorded attempt ended." });
