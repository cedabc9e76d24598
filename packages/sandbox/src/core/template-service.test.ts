import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, WABA_ID, type Harness, type HttpResult } from '../test-support/sandbox-harness';
import { orderUpdate, springPromo, welcomeOffer } from '../test-support/payloads';

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ templates: { reviewDelayMs: 5000 } });
});
afterEach(async () => h.close());

type Payload = Record<string, unknown>;
const template = (p: Payload) => p['template'] as { components: Array<{ type: string; parameters: Array<Record<string, unknown>>; index?: unknown; sub_type?: string }> };
const body = (p: Payload) => template(p).components.find((c) => c.type === 'body')!;
const error = (r: HttpResult) => r.body['error'] as { code: number; error_data: { details: string } };

describe('template sends are checked against the approved template', () => {
  const cases: Array<[string, () => Payload, number, number]> = [
    ['a template name that does not exist', () => ({ ...welcomeOffer(), template: { name: 'nope', language: { code: 'en' } } }), 132001, 404],
    ['an existing template in a language it does not have', () => welcomeOffer('fr'), 132001, 404],
    ['one body parameter too few', () => { const p = springPromo(); body(p).parameters.pop(); return p; }, 132000, 400],
    ['one body parameter too many', () => { const p = orderUpdate(); body(p).parameters.push({ type: 'text', parameter_name: 'extra', text: 'x' }); return p; }, 132000, 400],
    ['parameters for a template without variables', () => ({ ...welcomeOffer(), template: { name: 'welcome_offer', language: { code: 'en' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'x' }] }] } }), 132000, 400],
    ['a named template parameter without parameter_name', () => { const p = orderUpdate(); delete body(p).parameters[0]!['parameter_name']; return p; }, 132012, 400],
    ['a named template parameter with an unknown name', () => { const p = orderUpdate(); body(p).parameters[0]!['parameter_name'] = 'order_number'; return p; }, 132000, 400],
    ['a positional template parameter carrying parameter_name', () => { const p = springPromo(); body(p).parameters[0]!['parameter_name'] = 'name'; return p; }, 132012, 400],
    ['a video where the header expects an image', () => { const p = springPromo(); template(p).components[0]!.parameters = [{ type: 'video', video: { link: 'https://a.example/v.mp4' } }]; return p; }, 132012, 400],
    ['no header media for an image-header template', () => { const p = springPromo(); template(p).components.shift(); return p; }, 132012, 400],
    ['the URL button suffix missing', () => { const p = springPromo(); template(p).components.pop(); return p; }, 132000, 400],
    ['a button index the template does not have', () => { const p = springPromo(); template(p).components.push({ type: 'button', sub_type: 'quick_reply', index: 7, parameters: [{ type: 'payload', payload: 'x' }] }); return p; }, 131009, 400],
    ['a body parameter with a newline', () => { const p = springPromo(); body(p).parameters[0]!['text'] = 'Ma\nria'; return p; }, 132018, 400],
    ['a body parameter with five spaces in a row', () => { const p = springPromo(); body(p).parameters[0]!['text'] = 'Ma     ria'; return p; }, 132018, 400],
    ['values that make the body longer than 1024 characters', () => { const p = springPromo(); body(p).parameters[0]!['text'] = 'x'.repeat(1000); return p; }, 132005, 400],
  ];
  it.each(cases)('%s', async (_name, make, code, status) => {
    const r = await h.send(make());
    expect(r.status).toBe(status);
    expect(error(r).code).toBe(code);
  });

  it('a quick-reply payload is optional', async () => {
    const p = springPromo();
    template(p).components.splice(2, 1);
    expect((await h.send(p)).status).toBe(200);
  });

  it('a button index may be given as a number or a numeric string', async () => {
    const p = springPromo();
    template(p).components[2]!.index = '0';
    template(p).components[3]!.index = 2;
    expect((await h.send(p)).status).toBe(200);
  });

  it('a paused template is refused with 132015 and a disabled one with 132016', async () => {
    const id = h.sandbox.templates(WABA_ID).find((t) => t.name === 'welcome_offer' && t.language === 'en')!.id;
    h.sandbox.setTemplateStatus(id, 'PAUSED');
    expect(error(await h.send(welcomeOffer())).code).toBe(132015);
    h.sandbox.setTemplateStatus(id, 'DISABLED');
    expect(error(await h.send(welcomeOffer())).code).toBe(132016);
  });
});

describe('template listing', () => {
  it('pages with cursors and a next link until every template was seen once', async () => {
    const seen: string[] = [];
    let r = await h.graph(`/${WABA_ID}/message_templates?limit=2&fields=name,language,status`);
    for (;;) {
      expect(r.status).toBe(200);
      const data = r.body['data'] as Array<{ id: string; name: string; language: string; status: string }>;
      expect(data.length).toBeLessThanOrEqual(2);
      for (const t of data) {
        expect(Object.keys(t).sort()).toEqual(['id', 'language', 'name', 'status']);
        seen.push(`${t.name}/${t.language}`);
      }
      const paging = r.body['paging'] as { cursors: { before: string; after: string }; next?: string };
      expect(paging.cursors.after).toEqual(expect.any(String));
      if (!paging.next) break;
      const next = new URL(paging.next);
      expect(next.searchParams.get('after')).toBe(paging.cursors.after);
      r = await h.graph(next.pathname.replace('/sandbox/graph/v23.0', '') + next.search);
    }
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
    expect(seen).toEqual(expect.arrayContaining(['spring_promo/en', 'spring_promo/zh_CN', 'order_update/en', 'order_update/zh_CN', 'welcome_offer/en', 'welcome_offer/zh_CN', 'hello_world/en_US']));
  });

  it('the before cursor goes back a page', async () => {
    const first = await h.graph(`/${WABA_ID}/message_templates?limit=2`);
    const after = (first.body['paging'] as { cursors: { after: string } }).cursors.after;
    const second = await h.graph(`/${WABA_ID}/message_templates?limit=2&after=${after}`);
    const before = (second.body['paging'] as { cursors: { before: string }; previous?: string }).cursors.before;
    const back = await h.graph(`/${WABA_ID}/message_templates?limit=2&before=${before}`);
    expect(back.body['data']).toEqual(first.body['data']);
  });

  it('filters by status and name; full items carry Meta fields with upper-case component types', async () => {
    const r = await h.graph(`/${WABA_ID}/message_templates?name=order_update&status=APPROVED`);
    const data = r.body['data'] as Array<Record<string, unknown>>;
    expect(data).toHaveLength(2);
    expect(data[0]).toMatchObject({ name: 'order_update', category: 'UTILITY', parameter_format: 'NAMED', status: 'APPROVED' });
    expect((data[0]!['components'] as Array<{ type: string }>).map((c) => c.type)).toEqual(['HEADER', 'BODY', 'BUTTONS']);
  });

  it('an unknown WABA id is Graph error 100 with subcode 33', async () => {
    const r = await h.graph('/999/message_templates');
    expect(r.status).toBe(400);
    expect(r.body['error']).toMatchObject({ code: 100, error_subcode: 33 });
  });
});

describe('template creation and review', () => {
  const valid = {
    name: 'back_in_stock',
    language: 'en',
    category: 'MARKETING',
    components: [
      { type: 'BODY', text: 'Good news {{1}}, the {{2}} is back in stock.', example: { body_text: [['Maria', 'red scarf']] } },
      { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Reserve one' }] },
    ],
  };

  it('a new template is PENDING, then APPROVED after the review delay, with a status webhook; then it can be sent', async () => {
    const created = await h.graph(`/${WABA_ID}/message_templates`, { method: 'POST', body: valid });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ id: expect.any(String), status: 'PENDING', category: 'MARKETING' });
    const send = () => h.send({ to: '+8613800138000', type: 'template', template: { name: 'back_in_stock', language: { code: 'en' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Maria' }, { type: 'text', text: 'red scarf' }] }] } });
    expect(error(await send()).code).toBe(132001);
    await h.advance(5000);
    await h.receiver.waitFor(() => h.receiver.received.some((r) => r.body.entry[0]!.changes[0]!.field === 'message_template_status_update'), 'template webhook');
    const change = h.receiver.received.find((r) => r.body.entry[0]!.changes[0]!.field === 'message_template_status_update')!.body.entry[0]!;
    expect(change.id).toBe(WABA_ID);
    expect(change.changes[0]!.value).toMatchObject({ event: 'APPROVED', message_template_id: Number(created.body['id']), message_template_name: 'back_in_stock', message_template_language: 'en', reason: 'NONE' });
    const single = await h.graph(`/${String(created.body['id'])}?fields=status`);
    expect(single.body).toEqual({ id: created.body['id'], status: 'APPROVED' });
    expect((await send()).status).toBe(200);
  });

  it('a template whose body ends with a variable is REJECTED as INVALID_FORMAT', async () => {
    const bad = { ...valid, name: 'ends_badly', components: [{ type: 'BODY', text: 'Your code is {{1}}', example: { body_text: [['1234']] } }] };
    const created = await h.graph(`/${WABA_ID}/message_templates`, { method: 'POST', body: bad });
    await h.advance(5000);
    const t = await h.graph(`/${String(created.body['id'])}`);
    expect(t.body).toMatchObject({ status: 'REJECTED', rejected_reason: 'INVALID_FORMAT' });
    expect(h.sandbox.templates(WABA_ID).find((x) => x.name === 'ends_badly')!.review_note).toMatch(/start or end/);
  });

  it.each([
    ['variables out of order', { type: 'BODY', text: 'Hi {{2}} and {{1}} today.', example: { body_text: [['a', 'b']] } }],
    ['variables without examples', { type: 'BODY', text: 'Hi {{1}} today.' }],
    ['a body over 1024 characters', { type: 'BODY', text: 'x'.repeat(1025) }],
  ])('%s is rejected', async (_name, component) => {
    const created = await h.graph(`/${WABA_ID}/message_templates`, { method: 'POST', body: { ...valid, name: 'bad_one', components: [component] } });
    await h.advance(5000);
    expect((await h.graph(`/${String(created.body['id'])}?fields=status`)).body['status']).toBe('REJECTED');
  });

  it('a malformed request is refused at once with 100; a duplicate name+language with subcode 2388024', async () => {
    const malformed = await h.graph(`/${WABA_ID}/message_templates`, { method: 'POST', body: { name: 'Bad Name', language: 'en', category: 'MARKETING', components: [] } });
    expect(error(malformed).code).toBe(100);
    const dup = await h.graph(`/${WABA_ID}/message_templates`, { method: 'POST', body: { ...valid, name: 'welcome_offer' } });
    expect(dup.body['error']).toMatchObject({ code: 100, error_subcode: 2388024 });
  });

  it('delete by name removes every language', async () => {
    const r = await h.graph(`/${WABA_ID}/message_templates?name=spring_promo`, { method: 'DELETE' });
    expect(r.body).toEqual({ success: true });
    expect(error(await h.send(springPromo('zh_CN'))).code).toBe(132001);
  });
});
