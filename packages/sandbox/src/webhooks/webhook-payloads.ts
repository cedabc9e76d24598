/**
 * The objects inside webhook `value`s, shaped after Meta's status and inbound-message references (NOTES 3.4,
 * 3.5). Timestamps are strings of Unix seconds. From Graph v24 on, status webhooks omit `conversation`.
 */
import { statusErrorItem, type MetaErrorCode } from '../graph/graph-error';

export interface StatusInput {
  wamid: string;
  status: 'sent' | 'delivered' | 'read' | 'failed';
  at: number;
  recipientId: string;
  bizOpaque: string | undefined;
  /** Pricing category: a template's category (lower-case) or 'service'. */
  category: string;
  /** Free because sent inside a customer-service window (service messages, utility templates). */
  free: boolean;
  graphVersion: number;
  error: { code: MetaErrorCode; details: string } | undefined;
  conversationId: string;
  windowEndsAt: number;
}

const seconds = (ms: number): string => String(Math.floor(ms / 1000));

/** Pricing rides on `sent` and `delivered` (NOTES 3.4: with sent, and with one of delivered/read). */
export function statusObject(s: StatusInput): Record<string, unknown> {
  const out: Record<string, unknown> = { id: s.wamid, status: s.status, timestamp: seconds(s.at), recipient_id: s.recipientId };
  if (s.bizOpaque !== undefined) out['biz_opaque_callback_data'] = s.bizOpaque;
  if (s.status === 'failed') {
    out['errors'] = [statusErrorItem(s.error?.code ?? 131000, s.error?.details ?? 'Message failed')];
    return out;
  }
  if (s.graphVersion < 24) {
    const conversation: Record<string, unknown> = { id: s.conversationId, origin: { type: s.category } };
    if (s.status === 'sent') conversation['expiration_timestamp'] = seconds(s.windowEndsAt);
    out['conversation'] = conversation;
  }
  if (s.status !== 'read') {
    out['pricing'] = { billable: !s.free, pricing_model: 'PMP', category: s.category, type: s.free ? 'free_customer_service' : 'regular' };
  }
  return out;
}

export function contactObject(waId: string, name: string): Record<string, unknown> {
  return { profile: { name }, wa_id: waId };
}

export type InboundContent =
  | { type: 'text'; body: string }
  | { type: 'button'; payload: string; text: string }
  | { type: 'button_reply'; id: string; title: string }
  | { type: 'list_reply'; id: string; title: string; description?: string };

export function inboundMessageObject(input: {
  wamid: string;
  from: string;
  at: number;
  content: InboundContent;
  context?: { from: string; id: string };
}): Record<string, unknown> {
  const out: Record<string, unknown> = { from: input.from, id: input.wamid, timestamp: seconds(input.at) };
  if (input.context) out['context'] = input.context;
  const c = input.content;
  switch (c.type) {
    case 'text':
      out['type'] = 'text';
      out['text'] = { body: c.body };
      break;
    case 'button':
      out['type'] = 'button';
      out['button'] = { payload: c.payload, text: c.text };
      break;
    case 'button_reply':
      out['type'] = 'interactive';
      out['interactive'] = { type: 'button_reply', button_reply: { id: c.id, title: c.title } };
      break;
    case 'list_reply':
      out['type'] = 'interactive';
      out['interactive'] = {
        type: 'list_reply',
        list_reply: c.description === undefined ? { id: c.id, title: c.title } : { id: c.id, title: c.title, description: c.description },
      };
      break;
  }
  return out;
}
