import type { WebhookStatus } from './webhook-sinks';

/**
 * Reads a WhatsApp webhook payload (NOTES section 3): EVERY entry, change, status and message — Meta
 * batches up to 1000 updates in one POST, and reading only the first item drops the rest. Pure: the
 * drain decides what to do with what comes out. Anything unrecognised is counted, never thrown.
 */
export interface ParsedInbound {
  phoneNumberId: string;
  wamid: string;
  fromWaId: string;
  at: number;
  type: string;
  text?: string;
  buttonId?: string;
  buttonTitle?: string;
  listRowId?: string;
  listRowTitle?: string;
  contextWamid?: string;
  mediaId?: string;
  mimeType?: string;
  filename?: string;
  profileName?: string;
}

export interface TemplateStatusUpdate {
  metaId?: string;
  name?: string;
  language?: string;
  status: string;
  reason?: string;
}

export interface ParsedWebhook {
  statuses: WebhookStatus[];
  inbound: ParsedInbound[];
  templateUpdates: TemplateStatusUpdate[];
  /** System-level `value.errors[]` (e.g. 130429 outside any status). */
  errors: { phoneNumberId: string; code: number; title: string; message?: string }[];
  /** Items skipped, with why: fields we do not handle, statuses we do not know, messages without a phone. */
  skipped: string[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);
const seconds = (v: unknown, fallback: number): number => {
  const n = typeof v === 'string' ? Number(v) : typeof v === 'number' ? v : NaN;
  return Number.isFinite(n) && n > 0 ? Math.round(n * 1000) : fallback;
};
const opt = <K extends string>(k: K, v: string | undefined): { [P in K]?: string } => (v === undefined ? {} : ({ [k]: v } as { [P in K]?: string }));

const STATUS_MAP: Record<string, WebhookStatus['status']> = { sent: 'sent', delivered: 'delivered', read: 'read', played: 'read', failed: 'failed' };
const MEDIA_TYPES = new Set(['image', 'video', 'document', 'audio', 'sticker']);

function parseErrors(v: unknown): WebhookStatus['errors'] {
  return arr(v).filter(isObj).map((e) => {
    const code = Number(e.code);
    const data = isObj(e.error_data) ? e.error_data : {};
    return {
      code: Number.isFinite(code) ? code : 0,
      title: str(e.title) ?? str(e.message) ?? 'Unknown error',
      ...opt('message', str(e.message)),
      ...opt('details', str(data.details)),
    };
  });
}

function parseStatus(channelId: string, phoneNumberId: string, s: Obj, receivedAt: number, skipped: string[]): WebhookStatus | undefined {
  const wamid = str(s.id);
  const status = STATUS_MAP[str(s.status) ?? ''];
  if (!wamid || !status) {
    skipped.push(`status ${str(s.status) ?? '(none)'} of ${wamid ?? '(no id)'}`);
    return undefined;
  }
  const pricing = isObj(s.pricing) ? s.pricing : undefined;
  return {
    channelId,
    phoneNumberId,
    wamid,
    recipientWaId: str(s.recipient_id) ?? '',
    status,
    at: seconds(s.timestamp, receivedAt),
    errors: parseErrors(s.errors),
    ...opt('bizOpaqueCallbackData', str(s.biz_opaque_callback_data)),
    ...opt('pricingCategory', str(pricing?.category)),
  };
}

function parseMessage(phoneNumberId: string, m: Obj, names: Map<string, string>, receivedAt: number, skipped: string[]): ParsedInbound | undefined {
  const wamid = str(m.id);
  const from = str(m.from);
  const type = str(m.type) ?? 'unknown';
  if (!wamid || !from) {
    // Username-only senders (BSUID `user_id`, 2026) carry no phone: nothing to attach them to yet.
    skipped.push(`message ${wamid ?? '(no id)'} without a sender phone`);
    return undefined;
  }
  if (type === 'system') {
    skipped.push(`system message ${wamid}`);
    return undefined;
  }
  const ctx = isObj(m.context) ? m.context : undefined;
  const base: ParsedInbound = {
    phoneNumberId,
    wamid,
    fromWaId: from,
    at: seconds(m.timestamp, receivedAt),
    type,
    ...opt('contextWamid', str(ctx?.id)),
    ...opt('profileName', names.get(from)),
  };
  const body = isObj(m[type]) ? (m[type] as Obj) : {};
  switch (type) {
    case 'text':
      return { ...base, ...opt('text', str(body.body)) };
    case 'button':
      // A template quick-reply: `payload` is what we set at send time (or the label), `text` the label.
      return { ...base, ...opt('buttonId', str(body.payload)), ...opt('buttonTitle', str(body.text)), ...opt('text', str(body.text)) };
    case 'interactive': {
      const kind = str(body.type);
      if (kind === 'button_reply' && isObj(body.button_reply)) {
        return { ...base, type: 'button_reply', ...opt('buttonId', str(body.button_reply.id)), ...opt('buttonTitle', str(body.button_reply.title)), ...opt('text', str(body.button_reply.title)) };
      }
      if (kind === 'list_reply' && isObj(body.list_reply)) {
        return { ...base, type: 'list_reply', ...opt('listRowId', str(body.list_reply.id)), ...opt('listRowTitle', str(body.list_reply.title)), ...opt('text', str(body.list_reply.title)) };
      }
      return { ...base, type: kind ? `interactive.${kind}` : 'interactive' };
    }
    case 'reaction':
      return { ...base, ...opt('text', str(body.emoji)), ...opt('contextWamid', str(body.message_id) ?? str(ctx?.id)) };
    default:
      if (MEDIA_TYPES.has(type)) {
        return { ...base, ...opt('text', str(body.caption)), ...opt('mediaId', str(body.id)), ...opt('mimeType', str(body.mime_type)), ...opt('filename', str(body.filename)) };
      }
      return base;
  }
}

export function parseWebhookPayload(channelId: string, payload: unknown, receivedAt: number): ParsedWebhook {
  const out: ParsedWebhook = { statuses: [], inbound: [], templateUpdates: [], errors: [], skipped: [] };
  if (!isObj(payload)) {
    out.skipped.push('payload is not an object');
    return out;
  }
  for (const entry of arr(payload.entry).filter(isObj)) {
    for (const change of arr(entry.changes).filter(isObj)) {
      const field = str(change.field);
      const value = isObj(change.value) ? change.value : {};
      if (field === 'messages') {
        const meta = isObj(value.metadata) ? value.metadata : {};
        const phoneNumberId = str(meta.phone_number_id) ?? '';
        const names = new Map<string, string>();
        for (const c of arr(value.contacts).filter(isObj)) {
          const wa = str(c.wa_id);
          const name = isObj(c.profile) ? str(c.profile.name) : undefined;
          if (wa && name) names.set(wa, name);
        }
        for (const s of arr(value.statuses).filter(isObj)) {
          const st = parseStatus(channelId, phoneNumberId, s, receivedAt, out.skipped);
          if (st) out.statuses.push(st);
        }
        for (const m of arr(value.messages).filter(isObj)) {
          const msg = parseMessage(phoneNumberId, m, names, receivedAt, out.skipped);
          if (msg) out.inbound.push(msg);
        }
        for (const e of parseErrors(value.errors)) out.errors.push({ phoneNumberId, code: e.code, title: e.title, ...opt('message', e.message) });
      } else if (field === 'message_template_status_update') {
        const status = str(value.event);
        if (status) {
          out.templateUpdates.push({
            status,
            ...opt('metaId', str(value.message_template_id)),
            ...opt('name', str(value.message_template_name)),
            ...opt('language', str(value.message_template_language)),
            ...opt('reason', str(value.reason)),
          });
        }
      } else {
        out.skipped.push(`field ${field ?? '(none)'}`);
      }
    }
  }
  return out;
}
