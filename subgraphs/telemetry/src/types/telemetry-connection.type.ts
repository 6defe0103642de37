import { Field, Int, ObjectType } from "type-graphql";
import { PageInfo } from "@dgg/common";
import { TelemetryEvent } from "../entities/telemetry-event.entity";

@ObjectType("TelemetryEdge")
export class TelemetryEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => TelemetryEvent)
  node!: TelemetryEvent;
}

@ObjectType("TelemetryConnection")
export class TelemetryConnection {
  @Field(() => [TelemetryEdge])
  edges!: TelemetryEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int)
  totalCount!: number;
}
