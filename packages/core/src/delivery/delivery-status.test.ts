import { describe, expect, it } from 'vitest';
import { canAdvance, DELIVERY_STATUSES, mergeStatus, statusFromWebhook, type DeliveryStatus } from './delivery-status';

describe('delivery status never moves backwards', () => {
  it('a duplicate status changes nothing', () => {
    for (const s of DELIVERY_STATUSES) {
      expect(canAdvance(s, s)).toBe(false);
      expect(mergeStatus(s, s)).toBe(s);
    }
  });

  it('read before delivered stays read', () => {
    expect(mergeStatus('accepted', 'read')).toBe('read');
    expect(mergeStatus('read', 'delivered')).toBe('read');
    expect(mergeStatus('read', 'accepted')).toBe('read');
  });

  it('failed after accepted applies (delivery-time failures come by webhook after the 200)', () => {
    expect(mergeStatus('accepted', 'failed')).toBe('failed');
    expect(mergeStatus('sending', 'failed')).toBe('failed');
  });

  it('failed after delivered or read is ignored: the phone has the message', () => {
    expect(mergeStatus('delivered', 'failed')).toBe('delivered');
    expect(mergeStatus('read', 'failed')).toBe('read');
  });

  it('delivered or read after failed applies: receipt is the stronger evidence', () => {
    expect(mergeStatus('failed', 'delivered')).toBe('delivered');
    expect(mergeStatus('failed', 'read')).toBe('read');
    expect(mergeStatus('failed', 'accepted')).toBe('failed');
  });

  it('the sent webhook (accepted) after delivered is ignored', () => {
    expect(mergeStatus('delivered', statusFromWebhook('sent'))).toBe('delivered');
  });

  it('skipped only before anything was sent, and nothing leaves it', () => {
    expect(canAdvance('queued', 'skipped')).toBe(true);
    expect(canAdvance('sending', 'skipped')).toBe(true);
    expect(canAdvance('accepted', 'skipped')).toBe(false);
    expect(canAdvance('failed', 'skipped')).toBe(false);
    for (const s of DELIVERY_STATUSES) expect(mergeStatus('skipped', s)).toBe('skipped');
  });

  it('merging in any order reaches the same status', () => {
    const webhooks: DeliveryStatus[] = ['accepted', 'delivered', 'read', 'failed'];
    const permutations = (xs: DeliveryStatus[]): DeliveryStatus[][] =>
      xs.length <= 1 ? [xs] : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
    for (const order of permutations(webhooks)) expect(order.reduce(mergeStatus, 'sending' as DeliveryStatus)).toBe('read');
    for (const order of permutations(['accepted', 'failed'])) expect(order.reduce(mergeStatus, 'sending' as DeliveryStatus)).toBe('failed');
  });

  it('maps WhatsApp webhook statuses, played counting as read', () => {
    expect(statusFromWebhook('sent')).toBe('accepted');
    expect(statusFromWebhook('played')).toBe('read');
    expect(statusFromWebhook('failed')).toBe('failed');
  });
});
