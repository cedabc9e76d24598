import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateAgainst } from '../../../../spec/whatsapp/meta-schema';
import { startHarness, type Harness } from '../test-support/sandbox-harness';
import {
  buttonMessage,
  ctaUrlMessage,
  listMessage,
  orderUpdate,
  OTHER_VALID,
  RECIPIENT,
  RECIPIENT_WA_ID,
  springPromo,
  textMessage,
  welcomeOffer,
} from '../test-support/payloads';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.close());

type Payload = Record<string, unknown>;
const clone = (p: Payload): Payload => structuredClone(p);
const interactive = (p: Payload) => p['interactive'] as Record<string, Record<string, unknown>>;
const action = (p: Payload) => interactive(p)['action'] as Record<string, unknown>;
const sections = (p: Payload) => action(p)['sections'] as Array<{ title?: string; rows: Array<Record<string, string>> }>;
const replyButtons = (p: Payload) => action(p)['buttons'] as Array<{ reply: Record<string, string> }>;
const x = (n: number) => 'x'.repeat(n);

describe('every content type Meta documents is accepted with a wamid', () => {
  const valid: Record<string, Payload> = {
    text: textMessage(),
    'interactive reply buttons with an image header': buttonMessage(),
    'interactive list with 10 rows across two sections': listMessage(),
    'interactive cta_url': ctaUrlMessage(),
    'marketing template with image header, variables, quick reply and URL suffix': springPromo('en'),
    'the same template in zh_CN': springPromo('zh_CN'),
    'utility template with named parameters in any order': orderUpdate('en'),
    'plain template without variables': welcomeOffer('zh_CN'),
    ...OTHER_VALID,
  };
  it.each(Object.entries(valid))('%s', async (_name, payload) => {
    const res = await h.send(payload);
    expect(res.status).toBe(200);
    expect(res.body['messaging_product']).toBe('whatsapp');
    expect(res.body['contacts']).toEqual([{ input: RECIPIENT, wa_id: RECIPIENT_WA_ID }]);
    const messages = res.body['messages'] as Array<{ id: string; message_status?: string }>;
    expect(messages[0]!.id).toMatch(/^wamid\.[A-Za-z0-9+/=]+$/);
    // The payloads we call valid must also satisfy Meta's own (patched) schema.
    expect(validateAgainst('Message', { messaging_product: 'whatsapp', ...payload }).errors).toEqual([]);
  });

  it('an uploaded media id can be sent instead of a link', async () => {
    const upload = h.sandbox.uploadMedia({
      phoneNumberId: '106540352242922',
      token: 'sandbox-access-token',
      messagingProduct: 'whatsapp',
      mimeType: 'image/png',
      file: { data: Buffer.from('89504e470d0a1a0a', 'hex'), truncated: false },
    });
    const id = (upload.body as { id: string }).id;
    const res = await h.send({ to: RECIPIENT, type: 'image', image: { id, caption: 'uploaded' } });
    expect(res.status).toBe(200);
  });

  it('template sends report message_status accepted; free-form sends do not', async () => {
    const t = await h.send(welcomeOffer());
    const f = await h.send(textMessage());
    expect((t.body['messages'] as Array<Record<string, string>>)[0]!['message_status']).toBe('accepted');
    expect((f.body['messages'] as Array<Record<string, string>>)[0]!['message_status']).toBeUndefined();
  });

  it('a number without a leading + gets the business number country code, as Meta documents', async () => {
    const res = await h.send(textMessage('hi', '(631) 555-1234'));
    expect(res.body['contacts']).toEqual([{ input: '(631) 555-1234', wa_id: '16315551234' }]);
  });
});

describe('each over-limit or malformed payload is refused with Meta error shape and code, HTTP 400', () => {
  const cases: Array<[string, () => Payload, number]> = [
    ['text body of 4097 characters', () => textMessage(x(4097)), 100],
    ['image caption of 1025 characters', () => ({ to: RECIPIENT, type: 'image', image: { link: 'https://a.example/a.jpg', caption: x(1025) } }), 100],
    ['media with both id and link', () => ({ to: RECIPIENT, type: 'image', image: { id: '123', link: 'https://a.example/a.jpg' } }), 100],
    ['media with neither id nor link', () => ({ to: RECIPIENT, type: 'video', video: { caption: 'x' } }), 131008],
    ['media link that is not http(s)', () => ({ to: RECIPIENT, type: 'document', document: { link: 'ftp://a.example/a.pdf' } }), 131009],
    ['a caption on audio', () => ({ to: RECIPIENT, type: 'audio', audio: { link: 'https://a.example/a.ogg', caption: 'no' } }), 131009],
    ['a media id that was never uploaded', () => ({ to: RECIPIENT, type: 'image', image: { id: '999999999' } }), 131009],
    ['reply-button body of 1025 characters', () => { const p = buttonMessage(); interactive(p)['body'] = { text: x(1025) }; return p; }, 131009],
    ['cta_url body of 1025 characters', () => { const p = ctaUrlMessage(); interactive(p)['body'] = { text: x(1025) }; return p; }, 131009],
    ['list body of 4097 characters', () => { const p = listMessage(); interactive(p)['body'] = { text: x(4097) }; return p; }, 131009],
    ['header text of 61 characters', () => { const p = ctaUrlMessage(); interactive(p)['header'] = { type: 'text', text: x(61) }; return p; }, 131009],
    ['footer of 61 characters', () => { const p = buttonMessage(); interactive(p)['footer'] = { text: x(61) }; return p; }, 131009],
    ['four reply buttons', () => { const p = buttonMessage(); replyButtons(p).push({ reply: { id: 'c', title: 'C' } }, { reply: { id: 'd', title: 'D' } }); for (const b of replyButtons(p)) (b as Record<string, unknown>)['type'] = 'reply'; return p; }, 131009],
    ['reply button title of 21 characters', () => { const p = buttonMessage(); replyButtons(p)[0]!.reply['title'] = x(21); return p; }, 131009],
    ['reply button id of 257 characters', () => { const p = buttonMessage(); replyButtons(p)[0]!.reply['id'] = x(257); return p; }, 131009],
    ['two reply buttons with the same title', () => { const p = buttonMessage(); replyButtons(p)[1]!.reply['title'] = 'Yes please'; return p; }, 131009],
    ['list button label of 21 characters', () => { const p = listMessage(); action(p)['button'] = x(21); return p; }, 131009],
    ['11 list rows in total across sections', () => { const p = listMessage(); sections(p)[0]!.rows.push({ id: 'extra', title: 'Extra' }); return p; }, 131009],
    ['11 list sections', () => { const p = listMessage(); action(p)['sections'] = Array.from({ length: 11 }, (_, i) => ({ title: `S${i}`, rows: [{ id: `r${i}`, title: 'Row' }] })); return p; }, 131009],
    ['list row title of 25 characters', () => { const p = listMessage(); sections(p)[0]!.rows[0]!['title'] = x(25); return p; }, 131009],
    ['list row id of 201 characters', () => { const p = listMessage(); sections(p)[0]!.rows[0]!['id'] = x(201); return p; }, 131009],
    ['list row description of 73 characters', () => { const p = listMessage(); sections(p)[0]!.rows[0]!['description'] = x(73); return p; }, 131009],
    ['list section title of 25 characters', () => { const p = listMessage(); sections(p)[0]!.title = x(25); return p; }, 131009],
    ['list with an image header', () => { const p = listMessage(); interactive(p)['header'] = { type: 'image', image: { link: 'https://a.example/a.png' } }; return p; }, 131009],
    ['cta_url display text of 21 characters', () => { const p = ctaUrlMessage(); (action(p)['parameters'] as Record<string, string>)['display_text'] = x(21); return p; }, 131009],
    ['cta_url with a non-http url', () => { const p = ctaUrlMessage(); (action(p)['parameters'] as Record<string, string>)['url'] = 'javascript:alert(1)'; return p; }, 131009],
    ['an unknown message type', () => ({ to: RECIPIENT, type: 'hologram', hologram: {} }), 100],
    ['a missing recipient', () => ({ type: 'text', text: { body: 'hi' } }), 131008],
    ['a recipient that is not a phone number', () => textMessage('hi', 'not-a-number'), 100],
    ['a template without language', () => ({ to: RECIPIENT, type: 'template', template: { name: 'welcome_offer' } }), 131008],
  ];
  it.each(cases)('%s', async (_name, make, code) => {
    const res = await h.send(clone(make()));
    expect(res.status).toBe(400);
    const error = res.body['error'] as Record<string, unknown>;
    expect(error['code']).toBe(code);
    expect(error['type']).toBe('OAuthException');
    expect(error['message']).toMatch(/^\(#\d+\) /);
    expect(error['error_data']).toEqual({ messaging_product: 'whatsapp', details: expect.any(String) });
    expect(error['fbtrace_id']).toEqual(expect.any(String));
  });

  it('a body without messaging_product is refused with 100', async () => {
    const res = await h.graph('/106540352242922/messages', { method: 'POST', body: textMessage() });
    expect(res.status).toBe(400);
    expect((res.body['error'] as Record<string, unknown>)['code']).toBe(100);
  });

  it('malformed JSON is answered in Meta error shape', async () => {
    const res = await h.server.app.inject({
      method: 'POST',
      url: '/sandbox/graph/v23.0/106540352242922/messages',
      headers: { authorization: 'Bearer sandbox-access-token', 'content-type': 'application/json' },
      payload: '{"messaging_product":',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe(100);
  });

  it('a limit counts characters, not UTF-16 units: 4096 emoji fit in a text body', async () => {
    const res = await h.send(textMessage('😀'.repeat(4096)));
    expect(res.status).toBe(200);
  });
});
