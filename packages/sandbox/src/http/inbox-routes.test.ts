import { afterEach, beforeEach, expect, it } from 'vitest';
import { startHarness, type Harness } from '../test-support/sandbox-harness';
import { RECIPIENT_WA_ID, welcomeOffer } from '../test-support/payloads';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => h.close());

it('fault settings are read and patched at run time; invalid values are refused with field paths', async () => {
  const put = await h.inbox('/faults', { method: 'PUT', body: { throughputPerSecond: 1, pairLimit: { enabled: true } } });
  expect(put.status).toBe(200);
  expect(put.body).toMatchObject({ throughputPerSecond: 1, pairLimit: { enabled: true, intervalMs: 6000, burst: 1 }, enforceWindow: true });
  expect((await h.inbox('/faults')).body['throughputPerSecond']).toBe(1);
  const bad = await h.inbox('/faults', { method: 'PUT', body: { readRatio: 2, latency: { fixedMs: -1 }, typo: true } });
  expect(bad.status).toBe(422);
  const paths = ((bad.body['error'] as { details: Array<{ path: string }> }).details).map((d) => d.path).sort();
  expect(paths).toEqual(['faults', 'faults.latency.fixedMs', 'faults.readRatio']);
  expect((await h.inbox('/faults')).body['readRatio']).toBe(0.7);
});

it('accounts and tokens can be replaced at run time', async () => {
  const r = await h.inbox('/config', {
    method: 'PUT',
    body: { accessTokens: ['new-token'], wabas: [{ id: '777', name: 'Second', phoneNumbers: [{ id: '7770', displayPhoneNumber: '+44 7700 900777' }] }] },
  });
  expect(r.status).toBe(200);
  expect((await h.send(welcomeOffer(), { phoneNumberId: '7770', token: 'new-token' })).status).toBe(200);
  expect((await h.send(welcomeOffer(), { phoneNumberId: '7770' })).status).toBe(401);
  expect((await h.graph('/777/message_templates?limit=1', { token: 'new-token' })).status).toBe(200);
});

it('the log lists accepted messages with their callback data; clear starts a new run; reset forgets everything', async () => {
  await h.send({ ...welcomeOffer(), biz_opaque_callback_data: 'd-1' });
  const log = await h.inbox(`/log?waId=${RECIPIENT_WA_ID}`);
  expect(log.body['data']).toEqual([
    expect.objectContaining({ waId: RECIPIENT_WA_ID, type: 'template', bizOpaqueCallbackData: 'd-1', wamid: expect.any(String), at: expect.any(Number), payload: expect.any(Object) }),
  ]);
  expect(((await h.inbox('/log/clear', { method: 'POST' })).body['messages'] as { accepted: number }).accepted).toBe(0);
  await h.inbox('/faults', { method: 'PUT', body: { serverErrorRatio: 1 } });
  expect((await h.inbox('/reset', { method: 'POST' })).body).toEqual({ ok: true });
  expect((await h.inbox('/faults')).body['serverErrorRatio']).toBe(0);
  expect((await h.inbox('/conversations')).body['data']).toEqual([]);
});

it('the inbox lists templates with the reason a rejected one was rejected', async () => {
  const r = await h.inbox('/templates');
  expect((r.body['data'] as Array<{ name: string }>).map((t) => t.name)).toContain('spring_promo');
});

it('a webhook target can be set and cleared again with null', async () => {
  const set = await h.inbox('/webhooks', { method: 'PUT', body: { defaultUrl: 'http://127.0.0.1:1/other', byWaba: { '102290129340398': 'http://127.0.0.1:1/waba' } } });
  expect(set.body).toMatchObject({ defaultUrl: 'http://127.0.0.1:1/other', byWaba: { '102290129340398': 'http://127.0.0.1:1/waba' } });
  const cleared = await h.inbox('/webhooks', { method: 'PUT', body: { defaultUrl: null, byWaba: { '102290129340398': null } } });
  expect(cleared.body).toMatchObject({ defaultUrl: null, byWaba: {} });
});
