import { describe, expect, it } from 'vitest';
import { CALLBACK_EVENT_NAMES, callbackEventFor, callbackMetricOf, type CallbackDelivery } from './callback-event';
import { parseAudienceRule } from '../audience/rule-schema';

const delivery: CallbackDelivery = { oneId: 'u1', deliveryId: 'd1', taskKind: 'triggered', taskId: 't1', runId: 'r1' };
const AT = Date.parse('2025-06-01T10:00:00Z');
const names = (xs: { name: string }[]) => xs.map((x) => x.name);

describe('callback events', () => {
  it('accepted is sent', () => {
    const [e] = callbackEventFor({ kind: 'status', delivery, from: 'sending', to: 'accepted', at: AT });
    expect(e).toEqual({
      id: 'd1:sent',
      oneId: 'u1',
      name: 'wareach.message.sent',
      at: AT,
      properties: { taskKind: 'triggered', taskId: 't1', runId: 'r1', deliveryId: 'd1', metric: 'sent' },
    });
  });

  it('read straight after accepted also yields delivered', () => {
    expect(names(callbackEventFor({ kind: 'status', delivery, from: 'accepted', to: 'read', at: AT }))).toEqual(['wareach.message.delivered', 'wareach.message.read']);
  });

  it('a duplicate or backwards status yields nothing', () => {
    expect(callbackEventFor({ kind: 'status', delivery, from: 'delivered', to: 'delivered', at: AT })).toEqual([]);
    expect(callbackEventFor({ kind: 'status', delivery, from: 'read', to: 'delivered', at: AT })).toEqual([]);
    expect(callbackEventFor({ kind: 'status', delivery, from: 'delivered', to: 'failed', at: AT })).toEqual([]);
  });

  it('failed carries the error code', () => {
    const [e] = callbackEventFor({ kind: 'status', delivery, from: 'accepted', to: 'failed', at: AT, errorCode: 131026 });
    expect(e?.properties).toMatchObject({ metric: 'failed', errorCode: 131026 });
    expect(e?.id).toBe('d1:failed');
  });

  it('queued, sending and skipped are not callback events', () => {
    expect(callbackEventFor({ kind: 'status', delivery, from: 'queued', to: 'skipped', at: AT })).toEqual([]);
    expect(callbackEventFor({ kind: 'status', delivery, from: 'queued', to: 'sending', at: AT })).toEqual([]);
  });

  it('replies and clicks are keyed by the inbound message, so each tap counts once', () => {
    const [reply] = callbackEventFor({ kind: 'reply', delivery, at: AT, inboundMessageId: 'wamid.in1' });
    expect(reply).toMatchObject({ id: 'd1:replied:wamid.in1', name: 'wareach.message.replied', properties: { metric: 'replied' } });
    const [click] = callbackEventFor({ kind: 'click', delivery, at: AT, inboundMessageId: 'wamid.in2', button: 'Buy now', buttonId: 'buy' });
    expect(click).toMatchObject({ id: 'd1:clicked:wamid.in2', name: 'wareach.message.clicked', properties: { metric: 'clicked', button: 'Buy now', buttonId: 'buy' } });
  });

  it('names the six metrics and recognises only them', () => {
    expect(CALLBACK_EVENT_NAMES).toEqual(['wareach.message.sent', 'wareach.message.delivered', 'wareach.message.read', 'wareach.message.failed', 'wareach.message.replied', 'wareach.message.clicked']);
    expect(callbackMetricOf('wareach.message.read')).toBe('read');
    expect(callbackMetricOf('wareach.message.opened')).toBeNull();
    expect(callbackMetricOf('purchase')).toBeNull();
  });

  it('can be used in an audience rule, filtered by task and metric', () => {
    const r = parseAudienceRule({
      kind: 'and',
      children: [{
        kind: 'event', name: 'wareach.message.clicked', did: true, timeRange: { kind: 'relative', last: 7, unit: 'days' },
        filters: [{ property: 'taskId', op: 'eq', value: 't1' }, { property: 'button', op: 'eq', value: 'Buy now' }],
      }],
    });
    expect(r.ok).toBe(true);
  });
});
