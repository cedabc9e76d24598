import { describe, expect, it } from 'vitest';
import { verifySignature } from './webhooks';
import { parseWebhookPayload } from './webhooks-parse';
import { createHmac } from 'node:crypto';

const value = (v: object) => ({ object: 'whatsapp_business_account', entry: [{ id: 'w', changes: [{ field: 'messages', value: { metadata: { phone_number_id: 'p1' }, ...v } }] }] });

describe('parseWebhookPayload', () => {
  it('skips what it cannot use, with the reason, and never throws on odd shapes', () => {
    const p = parseWebhookPayload('ch', {
      entry: [
        { changes: [{ field: 'user_preferences', value: {} }, { field: 'messages', value: { statuses: [{ id: 'w1', status: 'deleted' }, { status: 'sent' }, 'junk'] } }] },
        { changes: 'not an array' },
        'junk',
      ],
    }, 0);
    expect(p.statuses).toEqual([]);
    expect(p.skipped).toEqual(['field user_preferences', 'status deleted of w1', 'status sent of (no id)']);
    expect(parseWebhookPayload('ch', 'text', 0).skipped).toEqual(['payload is not an object']);
  });

  it('drops system messages and username-only senders, keeps reactions and unsupported messages (they open the window)', () => {
    const p = parseWebhookPayload('ch', value({
      messages: [
        { from: '1', id: 'a', timestamp: '10', type: 'system', system: { body: 'changed number' } },
        { user_id: 'US.1', id: 'b', timestamp: '10', type: 'text', text: { body: 'hi' } },
        { from: '1', id: 'c', timestamp: '10', type: 'reaction', reaction: { message_id: 'wamid.out', emoji: '👍' } },
        { from: '1', id: 'd', timestamp: '10', type: 'unsupported', errors: [{ code: 131051 }] },
      ],
    }), 0);
    expect(p.inbound.map((m) => [m.wamid, m.type, m.text, m.contextWamid])).toEqual([['c', 'reaction', '👍', 'wamid.out'], ['d', 'unsupported', undefined, undefined]]);
    expect(p.skipped).toEqual(['system message a', 'message b without a sender phone']);
  });

  it('reads system-level errors and falls back to the arrival time when a timestamp is missing', () => {
    const p = parseWebhookPayload('ch', value({ errors: [{ code: 130429, title: 'Rate limit hit' }], statuses: [{ id: 'w', status: 'sent', recipient_id: '1' }] }), 1234);
    expect(p.errors).toEqual([{ phoneNumberId: 'p1', code: 130429, title: 'Rate limit hit' }]);
    expect(p.statuses[0]!.at).toBe(1234);
  });
});

describe('verifySignature', () => {
  const sig = (b: string | Buffer, s = 'sec') => 'sha256=' + createHmac('sha256', s).update(b).digest('hex');
  it('accepts upper-case hex, refuses truncated, other algorithms and a missing header', () => {
    const raw = Buffer.from('{"a":1}');
    expect(verifySignature(raw, sig(raw).toUpperCase().replace('SHA256=', 'sha256='), 'sec')).toBe(true);
    expect(verifySignature(raw, sig(raw).slice(0, -2), 'sec')).toBe(false);
    expect(verifySignature(raw, 'sha1=' + createHmac('sha1', 'sec').update(raw).digest('hex'), 'sec')).toBe(false);
    expect(verifySignature(raw, undefined, 'sec')).toBe(false);
  });
});
