import { Field, Int, ObjectType } from "type-graphql";
import { PageInfo } from "@dgg/common";
import { AuditLogEntry } from "../entities/audit-log-entry.entity";

@ObjectType("AuditLogEdge")
export class AuditLogEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => AuditLogEntry)
  node!: AuditLogEntry;
}

@ObjectType("AuditLogConnection")
export class AuditLogConnection {
  @Field(() => [AuditLogEdge])
  edges!: AuditLogEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int)
  totalCount!: number;
}
