import { graphqlEnum } from "@dgg/common";
import type { EnumValue } from "@dgg/common";

/** How the recorded attempt ended; DENIED entries are the access audit's refusals. */
export const AuditOutcome = graphqlEnum("AuditOutcome", ["SUCCEEDED", "DENIED", "FAILED"], "How the recorded attempt ended.");
export type AuditOutcome = EnumValue<typeof AuditOutcome>;
