import { Field, ID, InputType, Int, ObjectType } from "type-graphql";
import { connectionTypes } from "@dgg/common";
import type { Connection } from "@dgg/common";
import { WebhookDeliveryStatus, WebhookEvent } from "./webhook-event";

@ObjectType("Webhook", { description: "An endpoint of a tenant that receives signed privacy-request events (README: Webhooks)." })
export class Webhook {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  tenantId!: string;

  @Field(() => String)
  url!: string;

  @Field(() => [WebhookEvent])
  events!: WebhookEvent[];

  @Field(() => Date)
  createdAt!: Date;
}

@ObjectType("WebhookDelivery", { description: "One event sent (or being sent) to one webhook, with its attempts." })
export class WebhookDelivery {
  @Field(() => ID)
  id!: string;

  @Field(() => WebhookEvent)
  event!: WebhookEvent;

  @Field(() => ID, { nullable: true })
  requestId!: string | null;

  @Field(() => WebhookDeliveryStatus)
  status!: WebhookDeliveryStatus;

  @Field(() => Int)
  attempts!: number;

  @Field(() => Int, { nullable: true, description: "HTTP status of the last attempt's answer; null when it got none (refused, unreachable, timed out)." })
  lastResponseStatus!: number | null;

  @Field(() => String, { nullable: true })
  lastError!: string | null;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  deliveredAt!: Date | null;
}

export const { Edge: WebhookDeliveryEdge, Connection: WebhookDeliveryConnection } = connectionTypes("WebhookDelivery", WebhookDelivery);
export type WebhookDeliveryConnection = Connection<WebhookDelivery>;

@ObjectType("WebhookRegistration", { description: "signingSecret is shown once." })
export class WebhookRegistration {
  @Field(() => Webhook)
  webhook!: Webhook;

  @Field(() => String)
  signingSecret!: string;
}

@InputType("CreateWebhookInput")
export class CreateWebhookInput {
  @Field(() => String, { description: "https (plain http to loopback outside production); in production a public address only." })
  url!: string;

  @Field(() => [WebhookEvent])
  events!: WebhookEvent[];
}
