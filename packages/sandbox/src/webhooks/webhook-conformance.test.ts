/**
 * Conformance: every `messages` webhook the sandbox emits must validate against Meta's own webhook schema
 * (`WebhookPayload` in the OpenAPI file, patched as documented in spec/whatsapp/meta-schema.ts).
 * Template status updates are not covered: the file's `Change.field` enum has no
 * `message_template_status_update`, so there is nothing of Meta's to check them against.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadMetaSchema, validateAgainst } from '../../../../spec/whatsapp/meta-schema';
import { PHONE_ID, startHarness, type Harness, type HttpResult } from '../test-support/sandbox-harness';
import { buttonMessage, listMessage, RECIPIENT, RECIPIENT_WA_ID, springPromo, textMessage, welcomeOffer } from '../test-support/payloads';

let h: Harness;
beforeAll(async () => {
  loadMetaSchema();
  h = await startHarness({ faults: { readRatio: 1, unreachable: { numbers: ['+4915100000001'] } } });
});
afterAll(async () => h.close());

const wamidOf = (r: HttpResult) => (r.body['messages'] as Array<{ id: string }>)[0]!.id;
const act = (body: Record<string, unknown>) => h.inbox(`/conversations/${PHONE_ID}/${RECIPIENT_WA_ID}/actions`, { method: 'POST', body });

it('every status and inbound-message webhook validates against Meta WebhookPayload', async () => {
  await h.send({ ...welcomeOffer(), biz_opaque_callback_data: 'c-1' });
  await h.send(welcomeOffer('en', '+4915100000002'), { version: 'v24.0' });
  await h.send(welcomeOffer('en', '+4915100000001'));
  await h.send(textMessage('outside the window', '+4915100000003'));
  h.sandbox.openWindow(PHONE_ID, RECIPIENT);
  const buttons = wamidOf(await h.send(buttonMessage()));
  const list = wamidOf(await h.send(listMessage()));
  const promo = wamidOf(await h.send(springPromo()));
  await act({ type: 'reply_button', wamid: buttons, id: 'yes' });
  await act({ type: 'list_row', wamid: list, id: 'f-1' });
  await act({ type: 'quick_reply', wamid: promo, index: 1 });
  await act({ type: 'text', body: 'Is the red one in stock? 红色的有货吗', replyTo: promo });
  await act({ type: 'text', body: 'hello' });
  await h.advance(60_000);

  const statuses = h.receiver.statuses();
  const kinds = new Set(statuses.map((s) => `${s.status}${s.conversation ? '+conversation' : ''}${s.pricing ? '+pricing' : ''}`));
  expect(kinds).toEqual(new Set(['sent+conversation+pricing', 'sent+pricing', 'delivered+conversation+pricing', 'delivered+pricing', 'read+conversation', 'read', 'failed']));
  expect(new Set(statuses.flatMap((s) => s.errors ?? []).map((e) => e.code))).toEqual(new Set([131026, 131047]));
  expect(new Set(h.receiver.inbound().map((i) => (i.message['interactive'] as { type?: string } | undefined)?.type ?? i.message.type))).toEqual(
    new Set(['button_reply', 'list_reply', 'button', 'text']),
  );

  const messageWebhooks = h.receiver.received.filter((w) => w.body.entry.every((e) => e.changes.every((c) => c.field === 'messages')));
  expect(messageWebhooks.length).toBeGreaterThan(3);
  for (const w of messageWebhooks) {
    expect(validateAgainst('WebhookPayload', JSON.parse(w.raw))).toEqual({ valid: true, errors: [] });
  }
});

it('the conformance check is not vacuous: a status without recipient_id or an inbound message without from fails', () => {
  const status = { object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '1', phone_number_id: '2' }, statuses: [{ id: 'w', status: 'sent', timestamp: '1' }] } }] }] };
  expect(validateAgainst('WebhookPayload', status).valid).toBe(false);
  const inbound = {
    object: 'whatsapp_business_account',
    entry: [{ id: '1', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '1', phone_number_id: '2' }, contacts: [{ profile: { name: 'x' }, wa_id: '3' }], messages: [{ id: 'w', timestamp: '1', type: 'button', button: { payload: 'p', text: 't' }, context: { from: '1', id: 'w0' } }] } }] }],
  };
  expect(validateAgainst('WebhookPayload', inbound).valid).toBe(false);
});
