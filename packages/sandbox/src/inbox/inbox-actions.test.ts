import Fastify from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sandboxPlugin } from '../http/sandbox-plugin';
import { createSandbox } from '../sandbox';
import { PHONE_ID, startHarness, type Harness, type HttpResult } from '../test-support/sandbox-harness';
import { buttonMessage, ctaUrlMessage, listMessage, orderUpdate, RECIPIENT, RECIPIENT_WA_ID, springPromo, textMessage } from '../test-support/payloads';

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ faults: { readRatio: 0 } });
  h.sandbox.openWindow(PHONE_ID, RECIPIENT);
});
afterEach(async () => h.close());

const wamidOf = (r: HttpResult) => (r.body['messages'] as Array<{ id: string }>)[0]!.id;
const act = (body: Record<string, unknown>) => h.inbox(`/conversations/${PHONE_ID}/${RECIPIENT_WA_ID}/actions`, { method: 'POST', body });
const lastInbound = async () => {
  await h.receiver.waitFor(() => h.receiver.inbound().length > 0, 'an inbound message');
  return h.receiver.inbound()[h.receiver.inbound().length - 1]!;
};

describe('taps become inbound webhooks that name the message answered', () => {
  it('a reply-button tap arrives as interactive.button_reply with context.id and the contact', async () => {
    const wamid = wamidOf(await h.send(buttonMessage()));
    const r = await act({ type: 'reply_button', wamid, id: 'no', profileName: 'Maria Chen' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ wamid: expect.stringMatching(/^wamid\./), webhook: 'queued' });
    const got = await lastInbound();
    expect(got.message).toMatchObject({
      from: RECIPIENT_WA_ID,
      type: 'interactive',
      context: { from: '15550783881', id: wamid },
      interactive: { type: 'button_reply', button_reply: { id: 'no', title: 'No thanks' } },
    });
    expect(got.contact).toEqual({ profile: { name: 'Maria Chen' }, wa_id: RECIPIENT_WA_ID });
    expect(got.metadata).toEqual({ display_phone_number: '15550783881', phone_number_id: PHONE_ID });
  });

  it('a list choice arrives as interactive.list_reply with the row description', async () => {
    const wamid = wamidOf(await h.send(listMessage()));
    await act({ type: 'list_row', wamid, id: 'c-2' });
    expect((await lastInbound()).message).toMatchObject({
      context: { id: wamid },
      interactive: { type: 'list_reply', list_reply: { id: 'c-2', title: 'Option c2', description: 'Short description' } },
    });
  });

  it('a template quick reply arrives as button with the payload sent, or the label when none was', async () => {
    const wamid = wamidOf(await h.send(springPromo()));
    await act({ type: 'quick_reply', wamid, index: 0 });
    expect((await lastInbound()).message).toMatchObject({ type: 'button', context: { id: wamid }, button: { payload: 'PROMO_YES', text: 'Interested' } });
    await act({ type: 'quick_reply', wamid, index: 1 });
    await h.receiver.waitFor(() => h.receiver.inbound().length === 2, 'second tap');
    expect((await lastInbound()).message).toMatchObject({ button: { payload: 'Not interested', text: 'Not interested' } });
  });

  it('a typed reply arrives as text, quoting the message when it answers one', async () => {
    const wamid = wamidOf(await h.send(textMessage('How was your order?')));
    await act({ type: 'text', body: 'Great, thanks', replyTo: wamid });
    expect((await lastInbound()).message).toMatchObject({ type: 'text', text: { body: 'Great, thanks' }, context: { id: wamid } });
  });

  it('a URL button tap sends no webhook; it is recorded with the full URL', async () => {
    const promo = wamidOf(await h.send(springPromo()));
    const r = await act({ type: 'url', wamid: promo, index: 2 });
    expect(r.body).toEqual({ url: 'https://shop.example.com/offers/spring25?u=42', webhook: 'none' });
    const cta = wamidOf(await h.send(ctaUrlMessage()));
    expect((await act({ type: 'url', wamid: cta })).body['url']).toBe('https://shop.example.com/new?utm=wa');
    const view = (await h.inbox(`/conversations/${PHONE_ID}/${RECIPIENT_WA_ID}`)).body as { messages: Array<{ wamid: string; clicks?: unknown[] }> };
    expect(view.messages.find((m) => m.wamid === promo)!.clicks).toEqual([{ url: 'https://shop.example.com/offers/spring25?u=42', at: expect.any(Number), index: 2 }]);
    expect(h.receiver.inbound()).toHaveLength(0);
    expect(h.sandbox.summary().urlClicks).toBe(2);
  });

  it("a tap opens the user's 24-hour window", async () => {
    await h.close();
    h = await startHarness({ faults: { readRatio: 0, deliveredRatio: 0 } });
    const template = wamidOf(await h.send(springPromo()));
    await act({ type: 'quick_reply', wamid: template, index: 0 });
    const text = wamidOf(await h.send(textMessage('Thanks for your interest')));
    await h.advance(1000);
    await h.receiver.waitFor(() => h.receiver.statuses().some((s) => s.id === text), 'status of the follow-up');
    expect(h.receiver.statuses().find((s) => s.id === text)!.status).toBe('sent');
  });

  it.each([
    ['an unknown message', { type: 'reply_button', wamid: 'wamid.nope', id: 'yes' }, 404],
    ['a button id the message does not have', { type: 'reply_button', wamid: '<button>', id: 'maybe' }, 422],
    ['a quick reply on a message that is not a template', { type: 'quick_reply', wamid: '<button>', index: 0 }, 422],
    ['an unknown action type', { type: 'dance', wamid: '<button>' }, 422],
  ])('%s is refused', async (_name, body, status) => {
    const wamid = wamidOf(await h.send(buttonMessage()));
    const r = await act({ ...body, ...(body['wamid'] === '<button>' ? { wamid } : {}) });
    expect(r.status).toBe(status);
    expect(r.body['error']).toMatchObject({ code: expect.any(String), message: expect.any(String) });
  });
});

describe('conversations and the render model', () => {
  it('lists conversations newest first, paged with a cursor', async () => {
    for (let i = 0; i < 5; i++) await h.send({ ...springPromo('en', `+44770090000${i}`) });
    const first = await h.inbox('/conversations?limit=2');
    const data = first.body['data'] as Array<{ waId: string; lastMessage: { preview: string } }>;
    expect(data.map((c) => c.waId)).toEqual(['447700900004', '447700900003']);
    expect(data[0]!.lastMessage.preview).toBe('Hi Maria, our spring sale is on! Enjoy 25% off everything until March 31.');
    const next = (first.body['paging'] as { nextCursor: number }).nextCursor;
    const second = await h.inbox(`/conversations?limit=2&cursor=${next}`);
    expect((second.body['data'] as Array<{ waId: string }>).map((c) => c.waId)).toEqual(['447700900002', '447700900001']);
  });

  it('renders a template with its header media, hydrated body, footer and buttons', async () => {
    const wamid = wamidOf(await h.send({ ...springPromo('zh_CN'), biz_opaque_callback_data: 'd-9' }));
    const view = (await h.inbox(`/conversations/${PHONE_ID}/${RECIPIENT_WA_ID}`)).body as {
      windowOpen: boolean;
      messages: Array<{ wamid: string; status: string; bizOpaqueCallbackData: string; render: Record<string, unknown> }>;
    };
    expect(view.windowOpen).toBe(true);
    const m = view.messages.find((x) => x.wamid === wamid)!;
    expect(m.bizOpaqueCallbackData).toBe('d-9');
    expect(m.render).toMatchObject({
      kind: 'template',
      header: { type: 'media', media: { type: 'image', link: 'https://cdn.example.com/spring.png' } },
      body: '您好 Maria，春季特惠进行中：全场 25% 优惠，截止 March 31。',
      footer: '回复 STOP 退订',
      buttons: [
        { kind: 'quick_reply', index: 0, title: '感兴趣', payload: 'PROMO_YES' },
        { kind: 'quick_reply', index: 1, title: '不感兴趣', payload: '不感兴趣' },
        { kind: 'url', index: 2, title: '查看优惠', url: 'https://shop.example.com/offers/spring25?u=42' },
      ],
      template: { name: 'spring_promo', language: 'zh_CN', category: 'MARKETING', found: true },
    });
  });

  it('renders named parameters, lists and reply buttons; messages come in order with statuses', async () => {
    await h.send(orderUpdate());
    await h.send(listMessage());
    await h.send(buttonMessage());
    await h.advance(5000);
    const view = (await h.inbox(`/conversations/${PHONE_ID}/${RECIPIENT_WA_ID}`)).body as { messages: Array<{ status: string; render: Record<string, unknown> }> };
    const [order, list, buttons] = view.messages.map((m) => m.render);
    expect(order).toMatchObject({ header: { type: 'text', text: 'Order update' }, body: 'Hello Maria, your order A-1001 has shipped and should arrive by June 3.' });
    expect(list).toMatchObject({ kind: 'interactive_list', header: { type: 'text', text: 'Delivery options' }, list: { button: 'Choose' } });
    expect((list!['list'] as { sections: Array<{ rows: unknown[] }> }).sections.map((s) => s.rows.length)).toEqual([4, 6]);
    expect(buttons).toMatchObject({ kind: 'interactive_button', header: { type: 'media', media: { type: 'image' } }, buttons: [{ kind: 'reply', id: 'yes', title: 'Yes please' }, { kind: 'reply', id: 'no' }] });
    expect(view.messages.map((m) => m.status)).toEqual(['delivered', 'delivered', 'delivered']);
  });
});

it('the authorize option protects the inbox API but not the Graph API', async () => {
  const sandbox = createSandbox();
  const app = Fastify();
  await app.register(sandboxPlugin, {
    sandbox,
    authorize: async (request, reply) => {
      if (request.headers['x-test-user'] !== 'ok') await reply.code(401).send({ error: { code: 'unauthorized', message: 'no' } });
    },
  });
  try {
    expect((await app.inject({ method: 'GET', url: '/api/v1/sandbox/conversations' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/api/v1/sandbox/conversations', headers: { 'x-test-user': 'ok' } })).statusCode).toBe(200);
    const graph = await app.inject({ method: 'GET', url: `/sandbox/graph/v23.0/${PHONE_ID}`, headers: { authorization: 'Bearer sandbox-access-token' } });
    expect(graph.statusCode).toBe(200);
  } finally {
    await app.close();
    await sandbox.close();
  }
});
