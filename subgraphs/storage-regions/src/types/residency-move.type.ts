import { Field, ID, Int, ObjectType } from "type-graphql";
import { graphqlEnum, Region } from "@dgg/common";
import type { EnumValue } from "@dgg/common";

/** The phases of a move as the API shows them (the record's phase, docs/decisions/0043). */
export const ResidencyMovePhase = graphqlEnum(
  "ResidencyMovePhase",
  ["REQUESTED", "COPIED", "SWITCHED", "COMPLETED", "FAILED", "CANCELLING", "ROLLED_BACK", "CANCELLED"],
  "REQUESTED: frozen, copying and verifying; COPIED: verified; SWITCHED: the new region serves the tenant, the old one is being emptied; COMPLETED. A cancel before the switch: CANCELLING (the copy is being deleted), ROLLED_BACK (the tenant is back), CANCELLED.",
);
export type ResidencyMovePhase = EnumValue<typeof ResidencyMovePhase>;

/** One store's share of a move: a data subgraph's rows, or the archives ("blobs"). */
@ObjectType("ResidencyMoveProgress")
export class ResidencyMoveProgress {
  @Field(() => String, { description: "users, telemetry, audit, or blobs (export archives, counted in files)." })
  store!: string;

  @Field(() => String, { description: "PENDING, COPYING, VERIFYING or VERIFIED." })
  stage!: string;

  @Field(() => Int, { description: "Rows (files) copied so far." })
  copied!: number;

  @Field(() => Int, { description: "Rows (files) whose digest matched on both sides so far." })
  verified!: number;

  @Field(() => Int, { description: "Rows (files) of the tenant in the old region when the copy of this store began." })
  total!: number;
}

/** A tenant's move to a newly elected region: global directory metadata, no personal data. */
@ObjectType("ResidencyMove")
export class ResidencyMove {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  tenantId!: string;

  @Field(() => Region)
  fromRegion!: Region;

  @Field(() => Region)
  toRegion!: Region;

  @Field(() => ResidencyMovePhase)
  phase!: ResidencyMovePhase;

  @Field(() => [ResidencyMoveProgress], { description: "One entry per store, in the order they are copied; empty until copying starts." })
  progress!: ResidencyMoveProgress[];

  @Field(() => Date, { description: "When the region was elected (the tenant became MOVING)." })
  startedAt!: Date;

  @Field(() => Date)
  updatedAt!: Date;

  @Field(() => Date, { nullable: true, description: "When the move completed or was cancelled." })
  completedAt!: Date | null;

  @Field(() => String, { nullable: true, description: "The last error the mover met; it retries. Null after a step succeeds." })
  error!: string | null;
}
