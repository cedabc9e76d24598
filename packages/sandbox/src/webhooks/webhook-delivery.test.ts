import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { SandboxOptions } from '../sandbox';
import { PHONE_ID, startHarness, type Harness } from '../test-support/sandbox-harness';
import { startWebhookReceiver, type ReceivedWebhook } from '../test-support/webhook-receiver';
import { RECIPIENT_WA_ID, welcomeOffer } from '../test-support/payloads';

let h: Harness;
afterEach(async () => h?.close());
const start = async (options: SandboxOptions = {}) => {
  h = await startHarness(options);
  return h;
};
const to = (i: number) => `+4915${String(100000000 + i)}`;

/** What a correct receiver does: HMAC-SHA256 of the exact bytes with the app secret, compared in constant time. */
function signatureValid(w: ReceivedWebhook, secret: string): boolean {
  const expected = Buffer.from('sha256=' + createHmac('sha256', secret).update(w.raw, 'utf8').digest('hex'));
  const given = Buffer.from(w.signature ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

describe('signatures', () => {
  it('every webhook carries X-Hub-Signature-256 = HMAC-SHA256(app secret, raw body)', async () => {
    await start({ appSecret: 'top-secret', faults: { readRatio: 1 } });
    await h.send(welcomeOffer());
    await h.advance(10_000);
    await h.receiver.waitFor(() => h.receiver.statuses().length === 3, 'three statuses');
    expect(h.receiver.received.length).toBeGreaterThan(0);
    for (const w of h.receiver.received) {
      expect(w.signature).toMatch(/^sha256=[0-9a-f]{64}$/);
      expect(signatureValid(w, 'top-secret')).toBe(true);
      expect(signatureValid(w, 'other-secret')).toBe(false);
    }
  });

  it('a new app secret set through the inbox API signs the next webhooks', async () => {
    await start();
    await h.inbox('/webhooks', { method: 'PUT', body: { appSecret: 'rotated' } });
    await h.send(welcomeOffer());
    await h.advance(1000);
    await h.receiver.waitFor(() => h.receiver.received.length > 0, 'a webhook');
    expect(signatureValid(h.receiver.received[0]!, 'rotated')).toBe(true);
  });

  it('bodies are ASCII with non-ASCII and "/" escaped like Meta, so only the raw bytes verify', async () => {
    await start({ appSecret: 's3cret' });
    h.sandbox.receiveText(PHONE_ID, RECIPIENT_WA_ID, '你好 👋 see https://example.com/a');
    await h.receiver.waitFor(() => h.receiver.received.length === 1, 'inbound text');
    const w = h.receiver.received[0]!;
    expect(w.raw).toMatch(/^[\x20-\x7e]*$/);
    expect(w.raw).toContain('\\u4f60\\u597d');
    expect(w.raw).toContain('https:\\/\\/example.com\\/a');
    expect(signatureValid(w, 's3cret')).toBe(true);
    const reserialised = JSON.stringify(JSON.parse(w.raw));
    expect('sha256=' + createHmac('sha256', 's3cret').update(reserialised).digest('hex')).not.toBe(w.signature);
    expect(h.receiver.inbound()[0]!.message['text']).toEqual({ body: '你好 👋 see https://example.com/a' });
  });
});

describe('batching', () => {
  it('statuses are batched up to batchSize per POST, grouped by WABA entry and phone-number change', async () => {
    await start({ webhookDelivery: { batchSize: 100 }, faults: { deliveredRatio: 0 } });
    for (let i = 0; i < 250; i++) await h.send(welcomeOffer('en', to(i)));
    await h.advance(1000);
    await h.receiver.waitFor(() => h.receiver.statuses().length === 250, '250 sent statuses');
    const sizes = h.receiver.received.map((w) => w.body.entry.flatMap((e) => e.changes).flatMap((c) => c.value['statuses'] as unknown[]).length);
    expect(sizes.sort((a, b) => b - a)).toEqual([100, 100, 50]);
    for (const w of h.receiver.received) {
      expect(w.body.object).toBe('whatsapp_business_account');
      expect(w.body.entry).toHaveLength(1);
      expect(w.body.entry[0]!.changes).toHaveLength(1);
      expect(w.body.entry[0]!.changes[0]!.value['metadata']).toEqual({ display_phone_number: '15550783881', phone_number_id: PHONE_ID });
    }
  });

  it('a partial batch waits flushIntervalMs for company before it is posted', async () => {
    await start({ webhookDelivery: { flushIntervalMs: 50 }, faults: { deliveredRatio: 0, statusDelays: { sentMs: 10, deliveredMs: 10, readMs: 10 } } });
    await h.send(welcomeOffer('en', to(1)));
    await h.send(welcomeOffer('en', to(2)));
    h.time.advance(10);
    expect(h.sandbox.webhookStats().pendingItems).toBe(2);
    expect(h.receiver.received).toHaveLength(0);
    h.time.advance(50);
    await h.receiver.waitFor(() => h.receiver.received.length === 1, 'one batched POST');
    expect(h.receiver.statuses()).toHaveLength(2);
  });

  it('statuses of two phone numbers of one WABA share a POST as two changes of one entry', async () => {
    await start({
      wabas: [{ id: '111', phoneNumbers: [{ id: '1110', displayPhoneNumber: '+1 555 000 1110' }, { id: '1111', displayPhoneNumber: '+1 555 000 1111' }] }],
      faults: { deliveredRatio: 0 },
    });
    await h.send(welcomeOffer(), { phoneNumberId: '1110' });
    await h.send(welcomeOffer(), { phoneNumberId: '1111' });
    await h.advance(1000);
    await h.receiver.waitFor(() => h.receiver.statuses().length === 2, 'two statuses');
    expect(h.receiver.received).toHaveLength(1);
    const entry = h.receiver.received[0]!.body.entry[0]!;
    expect(entry.id).toBe('111');
    expect(entry.changes.map((c) => (c.value['metadata'] as { phone_number_id: string }).phone_number_id).sort()).toEqual(['1110', '1111']);
  });
});

describe('retries', () => {
  it('a non-2xx answer is retried with exponential backoff, same bytes and signature', async () => {
    await start({ webhookDelivery: { retryBaseMs: 1000, maxAttempts: 5 }, faults: { deliveredRatio: 0 } });
    h.receiver.failNext(2, 503);
    await h.send(welcomeOffer());
    await h.advance(1000);
    expect(h.receiver.rejected).toBe(1);
    await h.advance(999);
    expect(h.receiver.rejected).toBe(1);
    await h.advance(1);
    expect(h.receiver.rejected).toBe(2);
    await h.advance(2000);
    await h.receiver.waitFor(() => h.receiver.received.length === 1, 'the third attempt');
    expect(h.sandbox.webhookStats()).toMatchObject({ posts: 3, delivered: 1, failedAttempts: 2, dropped: 0 });
  });

  it('after maxAttempts the POST is dropped and counted', async () => {
    await start({ webhookDelivery: { retryBaseMs: 100, maxAttempts: 2 }, faults: { deliveredRatio: 0 } });
    h.receiver.failNext(10);
    await h.send(welcomeOffer());
    await h.advance(1000);
    await h.advance(100);
    expect(h.sandbox.webhookStats()).toMatchObject({ posts: 2, delivered: 0, dropped: 1, pendingItems: 0 });
  });

  it('an unreachable receiver counts as a failed attempt too', async () => {
    await start({ defaultWebhookUrl: 'http://127.0.0.1:9/hook', webhookDelivery: { maxAttempts: 1 }, faults: { deliveredRatio: 0 } });
    await h.send(welcomeOffer());
    await h.advance(1000);
    const stats = h.sandbox.webhookStats();
    expect(stats).toMatchObject({ failedAttempts: 1, dropped: 1 });
    expect(stats.recent[0]).toMatchObject({ status: 0, error: expect.any(String) });
  });
});

describe('targets', () => {
  it('a per-phone-number target overrides the WABA default', async () => {
    const second = await startWebhookReceiver();
    try {
      await start({ faults: { deliveredRatio: 0 } });
      const put = await h.inbox('/webhooks', { method: 'PUT', body: { byPhoneNumber: { [PHONE_ID]: second.url } } });
      expect(put.body['byPhoneNumber']).toEqual({ [PHONE_ID]: second.url });
      await h.send(welcomeOffer());
      await h.advance(1000);
      await second.waitFor(() => second.statuses().length === 1, 'status at the override');
      expect(h.receiver.received).toHaveLength(0);
    } finally {
      await second.close();
    }
  });

  it("Meta's verification handshake succeeds only with the right verify token", async () => {
    await start();
    expect(await h.sandbox.verifyWebhook(h.receiver.url, 'verify-me')).toEqual({ ok: true, status: 200, echoed: true });
    expect((await h.sandbox.verifyWebhook(h.receiver.url, 'wrong')).ok).toBe(false);
  });
});
