import { connectionTypes } from "@dgg/common";
import type { Connection } from "@dgg/common";
import { Device } from "../entities/device.entity";

export const { Edge: DeviceEdge, Connection: DeviceConnection } = connectionTypes("Device", Device);
export type DeviceConnection = Connection<Device>;
