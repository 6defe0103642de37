import { Field, Int, ObjectType } from "type-graphql";
import { PageInfo } from "@dgg/common";
import { Device } from "../entities/device.entity";

@ObjectType("DeviceEdge")
export class DeviceEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => Device)
  node!: Device;
}

@ObjectType("DeviceConnection")
export class DeviceConnection {
  @Field(() => [DeviceEdge])
  edges!: DeviceEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int)
  totalCount!: number;
}
