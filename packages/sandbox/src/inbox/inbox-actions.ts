/**
 * What a tester does on the simulated phone. Each tap or typed reply becomes the inbound webhook Meta would
 * send (NOTES 3.5): reply buttons → `interactive.button_reply`, list rows → `interactive.list_reply`, template
 * quick replies → `button {payload, text}`, typed text → `text`; all carry `context {from, id}` naming the
 * message answered, and all open the user's 24-hour window. URL buttons have no webhook; the tap is recorded.
 */
import { z } from 'zod';
import type { SandboxContext } from '../core/sandbox-context';
import { isRecord } from '../graph/payload-reader';
import type { LogEntry } from '../log/message-log';
import { renderEntry, templateButtons } from '../render/render-message';
import { contactObject, inboundMessageObject, type InboundContent } from '../webhooks/webhook-payloads';

const profileName = z.string().min(1).max(100).optional();
export const inboxActionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), body: z.string().min(1).max(4096), replyTo: z.string().optional(), profileName }),
  z.object({ type: z.literal('reply_button'), wamid: z.string(), id: z.string(), profileName }),
  z.object({ type: z.literal('list_row'), wamid: z.string(), id: z.string(), profileName }),
  z.object({ type: z.literal('quick_reply'), wamid: z.string(), index: z.number().int().min(0), profileName }),
  z.object({ type: z.literal('url'), wamid: z.string(), index: z.number().int().min(0).optional() }),
]);
export type InboxAction = z.infer<typeof inboxActionSchema>;

export type InboxActionResult =
  | { ok: true; value: { wamid?: string; url?: string; webhook: 'queued' | 'no_target' | 'none' } }
  | { ok: false; status: 404 | 409 | 422; code: string; message: string };

const notFound = (message: string): InboxActionResult => ({ ok: false, status: 404, code: 'not_found', message });
const mismatch = (message: string): InboxActionResult => ({ ok: false, status: 422, code: 'not_tappable', message });

function answered(ctx: SandboxContext, phoneNumberId: string, waId: string, wamid: string): LogEntry | undefined {
  const entry = ctx.log.entry(wamid);
  return entry && entry.direction === 'outbound' && entry.phoneNumberId === phoneNumberId && entry.waId === waId ? entry : undefined;
}

export function defaultProfileName(waId: string): string {
  return `Sandbox User ${waId.slice(-4)}`;
}

/** Emits an inbound message from `waId` to the business number; opens the window. */
export function receiveInbound(
  ctx: SandboxContext,
  phoneNumberId: string,
  waId: string,
  content: InboundContent,
  replyTo: string | undefined,
  name: string | undefined,
): { wamid: string; webhook: 'queued' | 'no_target' } {
  const phone = ctx.accounts.phone(phoneNumberId);
  const conv = ctx.log.conversation(phoneNumberId, waId, true);
  if (name) conv.name = name;
  const at = ctx.now();
  const wamid = ctx.ids.inboundWamid(waId);
  const message = inboundMessageObject({
    wamid,
    from: waId,
    at,
    content,
    ...(replyTo && phone ? { context: { from: phone.digits, id: replyTo } } : {}),
  });
  ctx.log.recordInbound(conv, {
    seq: 0,
    wamid,
    direction: 'inbound',
    phoneNumberId,
    waId,
    type: String(message['type']),
    at,
    payload: message,
    status: undefined,
    bizOpaqueCallbackData: undefined,
    category: undefined,
    contextId: replyTo,
    statusAt: undefined,
    error: undefined,
    clicks: undefined,
    evicted: false,
  });
  const target = ctx.accounts.webhookTarget(phoneNumberId);
  if (!target) return { wamid, webhook: 'no_target' };
  ctx.dispatcher.addMessage(target, contactObject(waId, conv.name ?? defaultProfileName(waId)), message);
  return { wamid, webhook: 'queued' };
}

export function performInboxAction(ctx: SandboxContext, phoneNumberId: string, waId: string, action: InboxAction): InboxActionResult {
  if (!ctx.accounts.phone(phoneNumberId)) return notFound(`phone number ${phoneNumberId} is not configured`);
  if (!/^\d{7,15}$/.test(waId)) return { ok: false, status: 422, code: 'invalid_wa_id', message: 'waId must be 7-15 digits' };
  if (action.type === 'text') {
    if (action.replyTo && !answered(ctx, phoneNumberId, waId, action.replyTo)) return notFound(`message ${action.replyTo} not found in this conversation`);
    return { ok: true, value: receiveInbound(ctx, phoneNumberId, waId, { type: 'text', body: action.body }, action.replyTo, action.profileName) };
  }
  const entry = answered(ctx, phoneNumberId, waId, action.wamid);
  if (!entry) return notFound(`message ${action.wamid} not found in this conversation (or no longer stored)`);
  const find = (name: string, language: string) => ctx.templates.find(ctx.accounts.phone(phoneNumberId)!.waba.id, name, language);
  const render = renderEntry(entry, find);
  let content: InboundContent;
  switch (action.type) {
    case 'reply_button': {
      const b = render.kind === 'interactive_button' ? render.buttons?.find((x) => x.id === action.id) : undefined;
      if (!b) return mismatch(`message has no reply button with id ${action.id}`);
      content = { type: 'button_reply', id: action.id, title: b.title };
      break;
    }
    case 'list_row': {
      const row = render.list?.sections.flatMap((s) => s.rows).find((r) => r.id === action.id);
      if (!row) return mismatch(`message has no list row with id ${action.id}`);
      content = { type: 'list_reply', id: row.id, title: row.title, ...(row.description !== undefined ? { description: row.description } : {}) };
      break;
    }
    case 'quick_reply': {
      const template = isRecord(entry.payload['template']) ? entry.payload['template'] : {};
      const b = render.kind === 'template' && render.template?.found
        ? templateButtons(template, find(render.template.name, render.template.language))[action.index]
        : undefined;
      if (!b || b.kind !== 'quick_reply') return mismatch(`message has no quick-reply button at index ${action.index}`);
      content = { type: 'button', payload: b.payload ?? b.title, text: b.title };
      break;
    }
    case 'url': {
      const buttons = render.buttons ?? [];
      const b = buttons.find((x) => (x.kind === 'url' || x.kind === 'cta_url') && (action.index === undefined || x.index === action.index));
      if (!b?.url) return mismatch('message has no URL button there');
      ctx.log.recordClick(entry, b.url, ctx.now(), b.index);
      return { ok: true, value: { url: b.url, webhook: 'none' } };
    }
  }
  return { ok: true, value: receiveInbound(ctx, phoneNumberId, waId, content, entry.wamid, action.profileName) };
}
