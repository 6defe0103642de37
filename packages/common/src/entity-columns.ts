import { Field, ID, ObjectType } from "type-graphql";
import { Column, PrimaryColumn } from "typeorm";
import { TimeColumn } from "./db";

/**
 * Named column decorators for the facts every entity repeats: how an id, a tenant, an
 * actor, a worker, a JSON document or a trace context is stored. Each fact lives here once,
 * so two entities cannot drift apart on it. They describe the columns the migrations created
 * (with the frozen builders of migration-columns.ts, never with these): changing one here
 * does not change a table, it would only make the entities disagree with it.
 */

/** Ids (UUIDs) and every column that refers to one are varchar(36) in every store. */
export const ID_LENGTH = 36;

/** Who did something, as an identity's subject (an IdP `sub`, a user id or a service name). */
export const ACTOR_LENGTH = 256;

/** A replica or worker that holds a lease or took a step. */
export const WORKER_LENGTH = 128;

/** A reason a person gives (for a hold or its lifting, a request, a denial): at most this many characters. */
export const REASON_LENGTH = 1000;

/** The message of the last error of a piece of work, cut to this many characters. */
export const ERROR_LENGTH = 2000;

export interface IdColumnOptions {
  nullable?: boolean;
  /** Also a GraphQL field of type ID (of the same nullability). */
  exposed?: boolean;
}

/** Both decorators on one property: the GraphQL field (when exposed) and the column. */
function withIdField(column: PropertyDecorator, options: IdColumnOptions): PropertyDecorator {
  if (!options.exposed) return column;
  const field = Field(() => ID, options.nullable ? { nullable: true } : {});
  return (target, property) => {
    column(target, property);
    field(target, property);
  };
}

/** The row's own id, a UUID (`id` unless named otherwise): varchar(36) primary key. */
export function PrimaryIdColumn(options: { name?: string; exposed?: boolean } = {}): PropertyDecorator {
  const column = PrimaryColumn({ ...(options.name === undefined ? {} : { name: options.name }), type: "varchar", length: ID_LENGTH });
  return withIdField(column, { exposed: options.exposed ?? false });
}

/** A column holding another row's id (`user_id`, `request_id`, ...): varchar(36). */
export function IdColumn(name: string, options: IdColumnOptions = {}): PropertyDecorator {
  return withIdField(Column({ name, type: "varchar", length: ID_LENGTH, nullable: options.nullable ?? false }), options);
}

/** The tenant a row belongs to, which every query about the row is limited by. */
export function TenantIdColumn(options: Pick<IdColumnOptions, "exposed"> = {}): PropertyDecorator {
  return IdColumn("tenant_id", options);
}

/** Who did something (see ACTOR_LENGTH): varchar(256). */
export function ActorColumn(name: string, options: { nullable?: boolean } = {}): PropertyDecorator {
  return Column({ name, type: "varchar", length: ACTOR_LENGTH, nullable: options.nullable ?? false });
}

/** The replica or worker that holds a lease or took a step (see WORKER_LENGTH): varchar(128). */
export function WorkerColumn(name: string, options: { nullable?: boolean } = {}): PropertyDecorator {
  return Column({ name, type: "varchar", length: WORKER_LENGTH, nullable: options.nullable ?? false });
}

/** A JSON document, stored as text (TypeORM's simple-json) so that both engines read it alike. */
export function JsonColumn(name: string, options: { nullable?: boolean } = {}): PropertyDecorator {
  return Column({ name, type: "simple-json", nullable: options.nullable ?? false });
}

/** The W3C traceparent of the request that started a piece of work, so the work continues its trace. */
export function TraceParentColumn(): PropertyDecorator {
  return Column({ name: "trace_parent", type: "varchar", length: 64, nullable: true });
}

/**
 * The ids that lead every row of personal data about one user that the API shows (a device,
 * a telemetry event): the row's own id and the user's, both GraphQL IDs, and the user's
 * tenant, which is not in the API but limits every query about the row to the viewer's tenant.
 * Registered as an object type only so that type-graphql hands its fields on to the entities
 * that extend it; no field returns it, so no schema has a UserDataRow type.
 */
@ObjectType()
export abstract class UserDataRow {
  @PrimaryIdColumn({ exposed: true })
  id!: string;

  @IdColumn("user_id", { exposed: true })
  userId!: string;

  @TenantIdColumn()
  tenantId!: string;
}

/**
 * The columns of a row that workers claim and retry (a privacy request, a webhook delivery):
 * a claim is one UPDATE that sets the worker and the lease's end where the lease is free or
 * has run out, and counts an attempt, so two replicas never work one row at once. Both lease
 * columns are null while nobody holds the row. The due time of the next attempt is each
 * entity's own (a request waits for nothing, a delivery always has one).
 */
export abstract class ClaimedRow {
  /** Claims so far; each claim is one attempt. */
  @Column({ name: "attempts", type: "integer" })
  attempts!: number;

  @WorkerColumn("lease_owner", { nullable: true })
  leaseOwner!: string | null;

  @TimeColumn({ name: "lease_expires_at", nullable: true })
  leaseExpiresAt!: Date | null;
}
