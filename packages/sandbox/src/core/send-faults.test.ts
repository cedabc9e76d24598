import { afterEach, describe, expect, it } from 'vitest';
import type { SandboxOptions } from '../sandbox';
import { startHarness, type Harness, type HttpResult } from '../test-support/sandbox-harness';
import { orderUpdate, RECIPIENT, RECIPIENT_WA_ID, springPromo, textMessage, welcomeOffer } from '../test-support/payloads';

let h: Harness;
afterEach(async () => h?.close());

const start = async (options: SandboxOptions = {}) => {
  h = await startHarness(options);
  return h;
};
const code = (r: HttpResult) => (r.body['error'] as { code: number } | undefined)?.code;
const wamidOf = (r: HttpResult) => (r.body['messages'] as Array<{ id: string }>)[0]!.id;
const statusesOf = (wamid: string) => h.receiver.statuses().filter((s) => s.id === wamid);
const other = (n: number) => `+86139000000${String(n).padStart(2, '0')}`;

describe('authentication', () => {
  it('an unknown token is refused with OAuthException 190 and HTTP 401', async () => {
    await start();
    const r = await h.send(textMessage(), { token: 'not-a-token' });
    expect(r.status).toBe(401);
    expect(r.body['error']).toMatchObject({ code: 190, type: 'OAuthException' });
  });

  it('a request without a token is refused with 190 and HTTP 401', async () => {
    await start();
    const r = await h.send(textMessage(), { token: null });
    expect(r.status).toBe(401);
    expect(code(r)).toBe(190);
  });

  it('a token scoped to another WABA cannot use this phone number (100, subcode 33)', async () => {
    await start({
      wabas: [
        { id: '111', phoneNumbers: [{ id: '1110', displayPhoneNumber: '+1 555 000 1110' }], accessTokens: ['token-a'] },
        { id: '222', phoneNumbers: [{ id: '2220', displayPhoneNumber: '+1 555 000 2220' }], accessTokens: ['token-b'] },
      ],
    });
    const r = await h.send(welcomeOffer(), { token: 'token-b', phoneNumberId: '1110' });
    expect(r.status).toBe(400);
    expect(r.body['error']).toMatchObject({ code: 100, error_subcode: 33 });
    expect((await h.send(welcomeOffer(), { token: 'token-a', phoneNumberId: '1110' })).status).toBe(200);
  });
});

describe('throughput limit per phone number (130429)', () => {
  it('the message over the per-second limit gets 130429 as HTTP 400, and the next second has room again', async () => {
    await start({ faults: { throughputPerSecond: 5 } });
    for (let i = 0; i < 5; i++) expect((await h.send(welcomeOffer('en', other(i)))).status).toBe(200);
    const over = await h.send(welcomeOffer('en', other(9)));
    expect(over.status).toBe(400);
    expect(code(over)).toBe(130429);
    h.time.advance(1000);
    expect((await h.send(welcomeOffer('en', other(9)))).status).toBe(200);
  });

  it('a per-number throughput overrides the global one', async () => {
    await start({ faults: { throughputPerSecond: 100 }, wabas: [{ id: '111', phoneNumbers: [{ id: '1110', displayPhoneNumber: '+1 555 000 1110', throughputPerSecond: 1 }] }] });
    expect((await h.send(welcomeOffer(), { phoneNumberId: '1110' })).status).toBe(200);
    expect(code(await h.send(welcomeOffer('en', other(1)), { phoneNumberId: '1110' }))).toBe(130429);
  });
});

describe('pair rate limit (131056)', () => {
  it('is off by default so bulk sends to one user work', async () => {
    await start();
    for (let i = 0; i < 3; i++) expect((await h.send(welcomeOffer())).status).toBe(200);
  });

  it('when on, a second message to the same user within the interval gets 131056; other users are unaffected', async () => {
    await start({ faults: { pairLimit: { enabled: true, intervalMs: 6000, burst: 1 } } });
    expect((await h.send(welcomeOffer())).status).toBe(200);
    const again = await h.send(welcomeOffer());
    expect(again.status).toBe(400);
    expect(code(again)).toBe(131056);
    expect((await h.send(welcomeOffer('en', other(1)))).status).toBe(200);
    h.time.advance(6000);
    expect((await h.send(welcomeOffer())).status).toBe(200);
  });
});

describe('24-hour customer-service window (131047)', () => {
  it('free-form content to a user who never wrote is accepted, then fails by webhook with 131047', async () => {
    await start();
    const r = await h.send(textMessage());
    expect(r.status).toBe(200);
    await h.advance(1000);
    await h.receiver.waitFor(() => statusesOf(wamidOf(r)).length > 0, 'failed status');
    const [failed] = statusesOf(wamidOf(r));
    expect(failed).toMatchObject({ status: 'failed', recipient_id: RECIPIENT_WA_ID });
    expect(failed!.errors![0]).toMatchObject({ code: 131047, title: 'Re-engagement message', error_data: { details: expect.any(String) } });
  });

  it('templates go out regardless of the window', async () => {
    await start();
    const r = await h.send(welcomeOffer());
    await h.advance(100);
    await h.receiver.waitFor(() => statusesOf(wamidOf(r)).some((s) => s.status === 'sent'), 'sent status');
  });

  it('after the user writes, free-form content is delivered until 24 hours later', async () => {
    await start({ faults: { readRatio: 0 } });
    h.sandbox.receiveText('106540352242922', RECIPIENT_WA_ID, 'hello?');
    h.time.advance(23 * 3600_000);
    const inside = await h.send(textMessage());
    h.time.advance(3600_000);
    const outside = await h.send(textMessage());
    await h.advance(1000);
    await h.receiver.waitFor(() => statusesOf(wamidOf(outside)).length > 0 && statusesOf(wamidOf(inside)).length >= 2, 'both outcomes');
    expect(statusesOf(wamidOf(inside)).map((s) => s.status)).toEqual(['sent', 'delivered']);
    expect(statusesOf(wamidOf(outside))[0]!.errors![0]!.code).toBe(131047);
  });

  it('with syncDeliveryErrors the same refusal comes back as HTTP 400', async () => {
    await start({ faults: { syncDeliveryErrors: true } });
    const r = await h.send(textMessage());
    expect(r.status).toBe(400);
    expect(code(r)).toBe(131047);
  });

  it('can be switched off', async () => {
    await start({ faults: { enforceWindow: false, readRatio: 0, deliveredRatio: 0 } });
    const r = await h.send(textMessage());
    await h.advance(1000);
    await h.receiver.waitFor(() => statusesOf(wamidOf(r)).length > 0, 'status');
    expect(statusesOf(wamidOf(r))[0]!.status).toBe('sent');
  });
});

describe('marketing per-user limit (131049)', () => {
  const failedCode = async (r: HttpResult) => {
    await h.advance(1000);
    await h.receiver.waitFor(() => statusesOf(wamidOf(r)).length > 0, 'a status');
    return statusesOf(wamidOf(r))[0]!.errors?.[0]?.code;
  };

  it('a listed recipient does not get marketing templates but does get utility ones', async () => {
    await start({ faults: { marketingLimit: { recipients: [RECIPIENT] } } });
    expect(await failedCode(await h.send(springPromo()))).toBe(131049);
    expect(await failedCode(await h.send(orderUpdate()))).toBeUndefined();
  });

  it('ratio 1 blocks every marketing template', async () => {
    await start({ faults: { marketingLimit: { ratio: 1 } } });
    expect(await failedCode(await h.send(welcomeOffer('en', other(3))))).toBe(131049);
  });

  it('a cap per user per 24 hours blocks the next marketing template, but not inside a window the user opened', async () => {
    await start({ faults: { marketingLimit: { maxPerUserPer24h: 2 } } });
    expect(await failedCode(await h.send(welcomeOffer()))).toBeUndefined();
    expect(await failedCode(await h.send(welcomeOffer()))).toBeUndefined();
    expect(await failedCode(await h.send(welcomeOffer()))).toBe(131049);
    h.sandbox.openWindow('106540352242922', RECIPIENT);
    expect(await failedCode(await h.send(welcomeOffer()))).toBeUndefined();
  });
});

describe('unreachable numbers (131026)', () => {
  it('a listed number fails with 131026 by webhook', async () => {
    await start({ faults: { unreachable: { numbers: ['+8613800138000'] } } });
    const r = await h.send(welcomeOffer());
    expect(r.status).toBe(200);
    await h.advance(1000);
    await h.receiver.waitFor(() => statusesOf(wamidOf(r)).length > 0, 'failed status');
    expect(statusesOf(wamidOf(r))[0]!.errors![0]!.code).toBe(131026);
  });

  it('a ratio makes a seeded, repeatable share of recipients unreachable', async () => {
    const run = async () => {
      await start({ seed: 7, faults: { unreachable: { ratio: 0.5 }, deliveredRatio: 0 } });
      const wamids: string[] = [];
      for (let i = 0; i < 20; i++) wamids.push(wamidOf(await h.send(welcomeOffer('en', other(i)))));
      await h.advance(1000);
      await h.receiver.waitFor(() => h.receiver.statuses().length === 20, '20 statuses');
      const outcome = wamids.map((w) => statusesOf(w)[0]!.status);
      await h.close();
      return outcome;
    };
    const first = await run();
    const second = await run();
    expect(first).toEqual(second);
    expect(first.filter((s) => s === 'failed').length).toBeGreaterThan(3);
    expect(first.filter((s) => s === 'sent').length).toBeGreaterThan(3);
  });
});

describe('server errors and latency', () => {
  it('serverErrorRatio 1 answers HTTP 500 with code 131000', async () => {
    await start({ faults: { serverErrorRatio: 1 } });
    const r = await h.send(welcomeOffer());
    expect(r.status).toBe(500);
    expect(code(r)).toBe(131000);
    expect(h.sandbox.summary().messages.accepted).toBe(0);
  });

  it('latency holds the answer until the injected clock has moved that far', async () => {
    await start({ faults: { latency: { fixedMs: 250, jitterMs: 0 } } });
    let done = false;
    const pending = h.send(welcomeOffer()).then((r) => {
      done = true;
      return r;
    });
    while (h.time.pending() === 0) await new Promise((resolve) => setImmediate(resolve));
    h.time.advance(249);
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toBe(false);
    h.time.advance(1);
    expect((await pending).status).toBe(200);
  });
});

describe('status progression', () => {
  it('sent, delivered and read follow the configured delays, echoing biz_opaque_callback_data', async () => {
    await start({ faults: { statusDelays: { sentMs: 100, deliveredMs: 500, readMs: 2000 }, readRatio: 1 } });
    const r = await h.send({ ...welcomeOffer(), biz_opaque_callback_data: 'delivery-7' });
    const wamid = wamidOf(r);
    await h.advance(100);
    await h.receiver.waitFor(() => statusesOf(wamid).length === 1, 'sent');
    await h.advance(400);
    await h.receiver.waitFor(() => statusesOf(wamid).length === 2, 'delivered');
    await h.advance(1500);
    await h.receiver.waitFor(() => statusesOf(wamid).length === 3, 'read');
    const all = statusesOf(wamid);
    expect(all.map((s) => s.status)).toEqual(['sent', 'delivered', 'read']);
    expect(all.every((s) => s.biz_opaque_callback_data === 'delivery-7')).toBe(true);
    expect(all[0]!.pricing).toEqual({ billable: true, pricing_model: 'PMP', category: 'marketing', type: 'regular' });
    expect(all[2]!.pricing).toBeUndefined();
    expect(Number(all[1]!.timestamp) - Number(all[0]!.timestamp)).toBe(0);
  });

  it('deliveredRatio 0 stops at sent; v24 status webhooks carry no conversation object', async () => {
    await start({ faults: { deliveredRatio: 0 } });
    const v23 = wamidOf(await h.send(welcomeOffer()));
    const v24 = wamidOf(await h.send(welcomeOffer('en', other(1)), { version: 'v24.0' }));
    await h.advance(5000);
    await h.receiver.waitFor(() => statusesOf(v23).length === 1 && statusesOf(v24).length === 1, 'two sent statuses');
    expect(statusesOf(v23)[0]!.conversation).toMatchObject({ origin: { type: 'marketing' }, expiration_timestamp: expect.any(String) });
    expect(statusesOf(v24)[0]!.conversation).toBeUndefined();
  });
});

it('the message log counts recipients that got the same callback data or content twice', async () => {
  await start();
  await h.send({ ...welcomeOffer(), biz_opaque_callback_data: 'd-1' });
  await h.send({ ...welcomeOffer(), biz_opaque_callback_data: 'd-1' });
  await h.send({ ...welcomeOffer('en', other(1)), biz_opaque_callback_data: 'd-2' });
  await h.send({ ...welcomeOffer('en', other(1)), biz_opaque_callback_data: 'd-3' });
  const summary = (await h.inbox('/log/summary')).body as Record<string, unknown>;
  expect(summary['messages']).toMatchObject({ accepted: 4, byType: { template: 4 } });
  expect(summary['duplicates']).toEqual({
    callbackData: { recipients: 1, messages: 1 },
    content: { recipients: 2, messages: 2 },
  });
});
