import { randomUUID } from "node:crypto";
import { IsNull } from "typeorm";
import { assertId, assertMayCall, assertOwnTenant, assertStorableText, BadUserInputError, ConflictError, outOfBounds, quote, UnavailableError, writeThenAudit } from "@dgg/common";
import type { GovernanceContext } from "../context";
import { newSigningSecret } from "./signature";
import { parseWebhookUrl, resolveWebhookTarget, UrlPolicyError } from "./url-policy";
import type { WebhookEvent } from "./webhook-event";
import { WebhookRecord } from "./webhook.entity";

const MAX_URL_LENGTH = 2048;

/** A tenant's live webhooks, oldest first. */
export async function listWebhooks(ctx: GovernanceContext, rawTenantId: string): Promise<WebhookRecord[]> {
  const tenantId = assertOwnTenant(ctx.viewer, "webhooks", "list webhooks", rawTenantId);
  return ctx.db.getRepository(WebhookRecord).find({ where: { tenantId, deletedAt: IsNull() }, order: { createdAt: "ASC", id: "ASC" } });
}

/**
 * Checks a webhook URL as the policy says (url-policy.ts), resolving its host: the client's
 * error names `input.url` and what is wrong; a resolver that is down is UNAVAILABLE.
 */
async function checkedUrl(ctx: GovernanceContext, raw: string): Promise<string> {
  assertStorableText(raw, "input.url");
  const text = raw.trim();
  if (text.length > MAX_URL_LENGTH) throw new BadUserInputError(`input.url must be at most ${MAX_URL_LENGTH} characters, got ${text.length}`, "input.url");
  try {
    await resolveWebhookTarget(parseWebhookUrl(text), ctx.webhooks);
  } catch (error) {
    if (!(error instanceof UrlPolicyError)) throw error;
    if (error.transient) throw new UnavailableError(`input.url could not be checked now: ${error.message}`);
    throw new BadUserInputError(`input.url ${quote(text)}: ${error.message}`, "input.url");
  }
  return text;
}

/** The record and the secret the API shows this once. */
export interface Registration {
  webhook: WebhookRecord;
  signingSecret: string;
}

/** Registers a webhook for the tenant's privacy-request events; nothing is written if anything is refused. */
export async function createWebhook(ctx: GovernanceContext, rawTenantId: string, input: { url: string; events: WebhookEvent[] }): Promise<Registration> {
  const tenantId = assertOwnTenant(ctx.viewer, "createWebhook", "create webhooks", rawTenantId);
  const events = [...new Set(input.events)];
  if (events.length === 0) throw new BadUserInputError("input.events must name at least one event, got []", "input.events");
  const url = await checkedUrl(ctx, input.url);
  const repo = ctx.db.getRepository(WebhookRecord);
  const live = await repo.countBy({ tenantId, deletedAt: IsNull() });
  if (live >= ctx.webhooks.maxPerTenant) throw new ConflictError(`tenant ${tenantId} has ${live} webhooks, the most it may have; delete one first`);
  const webhook: WebhookRecord = {
    id: randomUUID(),
    tenantId,
    url,
    events,
    signingSecret: newSigningSecret(),
    createdAt: ctx.clock.now(),
    createdBy: ctx.viewer.subject,
    deletedAt: null,
  };
  const where = new URL(url);
  await writeThenAudit({
    write: () => repo.insert(webhook),
    // Origin and path only: a query string may carry a receiver's token.
    entries: () => [{ tenantId, action: "WEBHOOK_CREATED", subjectUserId: null, details: { webhookId: webhook.id, url: `${where.origin}${where.pathname}`, events } }],
    undo: () => repo.delete({ id: webhook.id }),
    audit: ctx.audit,
    token: ctx.token,
  });
  return { webhook, signingSecret: webhook.signingSecret };
}

/**
 * Deletes a webhook of the viewer's tenant: nothing more is sent to it, pending deliveries
 * included (the dispatcher fails them unsent), and its past deliveries stay as evidence.
 * True when this call deleted it, false when it was already deleted; the same FORBIDDEN
 * for an id of another tenant as for one that does not exist.
 */
export async function deleteWebhook(ctx: GovernanceContext, rawId: string): Promise<boolean> {
  assertMayCall(ctx.viewer, "deleteWebhook", "delete webhooks");
  const id = assertId(rawId, "id");
  const repo = ctx.db.getRepository(WebhookRecord);
  const webhook = await repo.findOneBy({ id });
  if (!webhook || webhook.tenantId !== ctx.viewer.tenantId) throw outOfBounds(ctx.viewer, `webhook ${id}`, webhook ? { tenantId: webhook.tenantId } : {});
  if (webhook.deletedAt) return false;
  const deletedAt = ctx.clock.now();
  return writeThenAudit({
    write: async () => ((await repo.update({ id, deletedAt: IsNull() }, { deletedAt })).affected ?? 0) === 1,
    entries: (deleted) => (deleted ? [{ tenantId: webhook.tenantId, action: "WEBHOOK_DELETED", subjectUserId: null, details: { webhookId: id } }] : []),
    undo: (deleted) => (deleted ? repo.update({ id }, { deletedAt: null }) : Promise.resolve()),
    audit: ctx.audit,
    token: ctx.token,
  });
}
