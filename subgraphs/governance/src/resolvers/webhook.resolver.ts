import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import { decodeCursor, PageArgs, parseFirst } from "@dgg/common";
import type { GovernanceContext } from "../context";
import { CreateWebhookInput, Webhook, WebhookDeliveryConnection, WebhookRegistration } from "../webhooks/webhook.type";
import type { WebhookDelivery } from "../webhooks/webhook.type";
import type { WebhookDeliveryRecord } from "../webhooks/webhook-delivery.entity";
import type { WebhookRecord } from "../webhooks/webhook.entity";
import { createWebhook, deleteWebhook, listWebhooks } from "../webhooks/webhooks.service";

/** The API's view of a webhook: never its secret. */
function toWebhook(record: WebhookRecord): Webhook {
  return { id: record.id, tenantId: record.tenantId, url: record.url, events: record.events, createdAt: record.createdAt };
}

function toDelivery(record: WebhookDeliveryRecord): WebhookDelivery {
  return {
    id: record.id,
    event: record.event,
    requestId: record.requestId,
    status: record.status,
    attempts: record.attempts,
    lastResponseStatus: record.lastResponseStatus,
    lastError: record.lastError,
    createdAt: record.createdAt,
    deliveredAt: record.deliveredAt,
  };
}

@Resolver(() => Webhook)
export class WebhookResolver {
  @Query(() => [Webhook], { description: "The tenant's webhooks (tenant admins and privacy officers of the tenant)." })
  async webhooks(@Arg("tenantId", () => ID) tenantId: string, @Ctx() ctx: GovernanceContext): Promise<Webhook[]> {
    return (await listWebhooks(ctx, tenantId)).map(toWebhook);
  }

  @Mutation(() => WebhookRegistration, {
    description: "Registers a URL for the tenant's privacy-request events, each POSTed signed (X-DGG-Signature). The signing secret is in this answer only.",
  })
  async createWebhook(
    @Arg("tenantId", () => ID) tenantId: string,
    @Arg("input", () => CreateWebhookInput) input: CreateWebhookInput,
    @Ctx() ctx: GovernanceContext,
  ): Promise<WebhookRegistration> {
    const { webhook, signingSecret } = await createWebhook(ctx, tenantId, input);
    return { webhook: toWebhook(webhook), signingSecret };
  }

  @Mutation(() => Boolean, { description: "Stops all sending to the webhook, pending deliveries included; true if this call deleted it, false if it was already deleted." })
  deleteWebhook(@Arg("id", () => ID) id: string, @Ctx() ctx: GovernanceContext): Promise<boolean> {
    return deleteWebhook(ctx, id);
  }

  @FieldResolver(() => WebhookDeliveryConnection, { description: "Deliveries to this webhook, newest first." })
  async deliveries(@Root() webhook: Webhook, @Args(() => PageArgs) args: PageArgs, @Ctx() ctx: GovernanceContext): Promise<WebhookDeliveryConnection> {
    const first = parseFirst(args.first, 50);
    // Checked here, so that a bad cursor fails this field and not the loader's whole batch.
    decodeCursor(args.after, ["number", "string"]);
    const page = await ctx.loaders.webhookDeliveries.load({ webhookId: webhook.id, first, after: args.after ?? null });
    return { ...page, edges: page.edges.map((edge) => ({ cursor: edge.cursor, node: toDelivery(edge.node) })) };
  }
}
