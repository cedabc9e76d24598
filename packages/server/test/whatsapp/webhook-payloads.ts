import { createHmac } from 'node:crypto';

/** Webhook bodies shaped as Meta sends them (NOTES 3.3–3.5), for the webhook tests and benchmark. */
export const sign = (body: string | Buffer, secret: string) => 'sha256=' + createHmac('sha256', secret).update(body).digest('hex');

export const ts = (ms: number) => String(Math.floor(ms / 1000));

export function statusItem(wamid: string, status: string, atMs: number, o: { to?: string; callback?: string; errors?: object[] } = {}) {
  return {
    id: wamid,
    status,
    timestamp: ts(atMs),
    recipient_id: o.to ?? '8613800138000',
    ...(o.callback ? { biz_opaque_callback_data: o.callback } : {}),
    ...(status === 'sent' ? { pricing: { billable: true, pricing_model: 'PMP', type: 'regular', category: 'marketing' } } : {}),
    ...(o.errors ? { errors: o.errors } : {}),
  };
}

export function change(phoneNumberId: string, value: { statuses?: object[]; messages?: object[]; contacts?: object[] }) {
  return {
    field: 'messages',
    value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: phoneNumberId }, ...value },
  };
}

export function envelope(entries: { wabaId?: string; changes: object[] }[]) {
  return { object: 'whatsapp_business_account', entry: entries.map((e) => ({ id: e.wabaId ?? '102290129340398', changes: e.changes })) };
}

export function inboundItem(from: string, wamid: string, atMs: number, type: string, body: object, context?: string) {
  return { from, id: wamid, timestamp: ts(atMs), type, [type]: body, ...(context ? { context: { from: '15550783881', id: context } } : {}) };
}
