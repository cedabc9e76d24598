import { buildSendRequest, normalisePhone, validateContent, type FieldError, type MessageContent, type MessageRecipient } from '@wareach/core';
import { z } from 'zod';
import type { ProfileStore } from '../adapters/storage/profile-store';
import type { TestSendRow, TestSendStore } from '../adapters/storage/test-send-store';
import type { CloudApiClient } from '../adapters/whatsapp/cloud-api-client';
import type { AuditLog } from './audit';
import type { ChannelService } from './channels';
import { invalidState, validationError } from './errors';
import type { MediaService } from './media';
import type { Actor, Clock, IdSource } from './ports';
import type { TemplateService } from './templates';
import type { WebhookSink } from './webhook-sinks';

/** `biz_opaque_callback_data` of a test send: status webhooks carrying it belong to test_sends. */
export const TEST_SEND_CALLBACK_PREFIX = 'test-send:';

export const testSendSchema = z.strictObject({
  channelId: z.string().min(1).max(200),
  phoneNumberId: z.string().min(1).max(64),
  /** A message content (core's content schema); checked with field paths under `content.`. */
  content: z.unknown(),
  recipients: z.array(z.string().min(1).max(40)).min(1, 'must hold at least one phone number').max(20, 'must hold at most 20 phone numbers'),
  /** Values for personalisation; when absent, each recipient's profile (if any) is used. */
  variables: z
    .strictObject({
      attributes: z.record(z.string(), z.unknown()).optional(),
      tags: z.record(z.string(), z.unknown()).optional(),
      id: z.string().min(1).max(128).optional(),
    })
    .optional(),
});
export type TestSendInput = z.infer<typeof testSendSchema>;

export function toTestSendView(r: TestSendRow) {
  const iso = (v: number | null) => (v === null ? null : new Date(v).toISOString());
  return {
    id: r.id,
    channelId: r.channel_id,
    phoneNumberId: r.phone_number_id,
    recipient: r.recipient,
    content: JSON.parse(r.content) as MessageContent,
    wamid: r.wamid,
    state: r.state as 'failed' | 'accepted' | 'sent' | 'delivered' | 'read',
    error: r.error_code !== null ? { code: r.error_code, title: r.error_title ?? '' } : null,
    createdBy: { type: r.actor_type, id: r.actor_id },
    createdAt: new Date(r.created_at).toISOString(),
    sentAt: iso(r.sent_at),
    deliveredAt: iso(r.delivered_at),
    readAt: iso(r.read_at),
    failedAt: iso(r.failed_at),
  };
}
export type TestSendView = ReturnType<typeof toTestSendView>;

/**
 * Test sends (SPEC step 5): a content sent for real to up to 20 numbers, outside frequency caps and
 * do-not-disturb, recorded apart from task deliveries. Status webhooks move each record forward through
 * `sink`, recognised by the `test-send:<id>` callback data.
 */
export function createTestSendService(deps: {
  store: TestSendStore;
  channels: ChannelService;
  templates: TemplateService;
  media: MediaService;
  profiles: ProfileStore;
  client: CloudApiClient;
  audit: AuditLog;
  clock: Clock;
  ids: IdSource;
}) {
  async function recipientData(phone: string, variables: TestSendInput['variables']): Promise<MessageRecipient> {
    if (variables) {
      return { phone, attributes: variables.attributes ?? {}, tags: variables.tags ?? {}, ...(variables.id ? { oneId: variables.id } : {}) };
    }
    const id = await deps.profiles.findIdByIdentity('whatsapp', phone);
    const p = id ? await deps.profiles.get(id) : undefined;
    return p ? { phone, oneId: p.id, attributes: p.attributes, tags: p.tags } : { phone, attributes: {}, tags: {} };
  }

  async function send(actor: Actor, input: TestSendInput): Promise<{ items: TestSendView[] }> {
    const errors: FieldError[] = [];
    const content = validateContent(input.content);
    if (!content.ok) errors.push(...content.error.map((e) => ({ path: `content.${e.path}`.replace(/\.\(root\)$/, ''), message: e.message })));
    const phones: string[] = [];
    input.recipients.forEach((r, i) => {
      const n = normalisePhone(r);
      if (!n.ok) errors.push({ path: `recipients.${i}`, message: `${r} ${n.error}` });
      else if (!phones.includes(n.value)) phones.push(n.value);
    });
    if (errors.length || !content.ok) throw validationError(errors);
    const ctx = await deps.channels.getSendContext(input.channelId, input.phoneNumberId);
    if (ctx.status === 'paused') throw invalidState(`channel ${input.channelId} is paused: ${ctx.pausedReason ?? 'no reason given'}`);
    const c = content.value;
    if (c.type === 'template' && !(await deps.templates.getApprovedTemplate(input.channelId, c.template.name, c.template.language))) {
      throw validationError([{ path: 'content.template', message: `${c.template.name} (${c.template.language}) is not an APPROVED template of this channel; sync the templates or pick another` }]);
    }
    const media = await deps.media.resolveContentMedia(c, input.channelId, input.phoneNumberId);
    const now = deps.clock.now();
    const rows = await Promise.all(
      phones.map(async (phone) => {
        const id = deps.ids.next();
        const row: TestSendRow = {
          id, actor_type: actor.type, actor_id: actor.id, channel_id: input.channelId, phone_number_id: input.phoneNumberId,
          content: JSON.stringify(c), recipient: phone, wamid: null, state: 'failed', error_code: null, error_title: null,
          created_at: now, updated_at: now, sent_at: null, delivered_at: null, read_at: null, failed_at: null,
        };
        if (!media.ok) return { ...row, error_code: media.error.code === null ? 'media_upload' : String(media.error.code), error_title: `${media.error.title}: ${media.error.message}`, failed_at: now };
        const built = buildSendRequest(c, await recipientData(phone, input.variables), { bizOpaqueCallbackData: `${TEST_SEND_CALLBACK_PREFIX}${id}`, mediaIds: media.value });
        if (!built.ok) return { ...row, error_code: built.error.code, error_title: built.error.reason, failed_at: now };
        const out = await deps.client.sendMessage(ctx, built.value);
        const at = deps.clock.now();
        if (out.kind === 'accepted') return { ...row, wamid: out.wamid, state: 'accepted', updated_at: at };
        if (out.classification.kind === 'token' || out.classification.kind === 'blocked') {
          await deps.channels.pauseChannel(input.channelId, `WhatsApp refused a test send: (#${out.code}) ${out.title}`);
        }
        return { ...row, error_code: out.code !== null ? String(out.code) : out.classification.kind, error_title: out.title, failed_at: at, updated_at: at };
      }),
    );
    await deps.store.insert(rows);
    await deps.audit.record(actor, {
      action: 'message.test_send',
      entityType: 'channel',
      entityId: input.channelId,
      details: { phoneNumberId: input.phoneNumberId, contentType: c.type, recipients: rows.length, accepted: rows.filter((r) => r.state === 'accepted').length, testSendIds: rows.map((r) => r.id) },
    });
    return { items: rows.map(toTestSendView) };
  }

  const sink: WebhookSink = {
    async onStatuses(statuses) {
      for (const s of statuses) {
        const cb = s.bizOpaqueCallbackData;
        if (!cb?.startsWith(TEST_SEND_CALLBACK_PREFIX)) continue;
        const e = s.errors[0];
        await deps.store.applyStatus(cb.slice(TEST_SEND_CALLBACK_PREFIX.length), s.status, s.at, e ? { code: String(e.code), title: e.title } : undefined);
      }
    },
    async onInbound() {},
  };

  return {
    send,
    async list(q: { limit: number; offset: number; channelId?: string }) {
      return { items: (await deps.store.list(q)).map(toTestSendView) };
    },
    sink,
  };
}
export type TestSendService = ReturnType<typeof createTestSendService>;
