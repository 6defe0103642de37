import { Arg, Ctx, Mutation, Resolver } from "type-graphql";
import { Device } from "../entities/device.entity";
import { EnrollDeviceInput } from "../inputs/enroll-device.input";
import type { UsersContext } from "../context";
import { enrollDevice } from "../services/user-accounts.service";

@Resolver(() => Device)
export class DeviceResolver {
  @Mutation(() => Device)
  enrollDevice(@Arg("input", () => EnrollDeviceInput) input: EnrollDeviceInput, @Ctx() ctx: UsersContext): Promise<Device> {
    return enrollDevice(ctx, input);
  }
}
