import { Field, ID, InputType } from "type-graphql";

@InputType("EnrollDeviceInput")
export class EnrollDeviceInput {
  @Field(() => ID)
  userId!: string;

  @Field(() => String)
  deviceName!: string;

  @Field(() => String)
  operatingSystem!: string;

  @Field(() => String, { nullable: true })
  serialNumber?: string | null;
}
