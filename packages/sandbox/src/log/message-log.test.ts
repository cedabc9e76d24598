import { describe, expect, it } from 'vitest';
import { MessageLog, type LogEntry } from './message-log';

let n = 0;
function entry(waId: string, extra: Partial<LogEntry> = {}): LogEntry {
  n += 1;
  return {
    seq: 0, wamid: `wamid.${n}`, direction: 'outbound', phoneNumberId: 'p', waId, type: 'text', at: n, payload: { n },
    status: 'accepted', bizOpaqueCallbackData: undefined, category: undefined, contextId: undefined,
    statusAt: undefined, error: undefined, clicks: undefined, evicted: false, ...extra,
  };
}

describe('message log memory bounds', () => {
  it('keeps only the most recent N payloads per conversation, but counts every message', () => {
    const log = new MessageLog({ recentPerConversation: 3, maxStoredMessages: 100 });
    const conv = log.conversation('p', '1', true);
    const wamids = Array.from({ length: 5 }, (_, i) => log.recordOutbound(conv, entry('1'), `c${i}`).wamid);
    expect(log.entries({ waId: '1' }).map((e) => e.wamid)).toEqual(wamids.slice(2));
    expect(log.entry(wamids[0]!)).toBeUndefined();
    expect(log.summary()).toMatchObject({ messages: { accepted: 5 }, stored: { messages: 3 } });
  });

  it('drops the oldest payloads overall beyond maxStoredMessages', () => {
    const log = new MessageLog({ recentPerConversation: 10, maxStoredMessages: 4 });
    for (let i = 0; i < 6; i++) log.recordOutbound(log.conversation('p', String(i), true), entry(String(i)), 'same');
    expect(log.entries().map((e) => e.waId)).toEqual(['2', '3', '4', '5']);
    expect(log.conversation('p', '0')!.entries).toBeUndefined();
    expect(log.summary()).toMatchObject({ messages: { accepted: 6 }, recipients: 6, stored: { messages: 4 } });
  });

  it('a status never moves backwards; failures are counted by code', () => {
    const log = new MessageLog({ recentPerConversation: 10, maxStoredMessages: 10 });
    const e = log.recordOutbound(log.conversation('p', '1', true), entry('1'), 'x');
    log.recordStatus(e.wamid, 'read', 5);
    log.recordStatus(e.wamid, 'delivered', 6);
    expect(e.status).toBe('read');
    log.recordStatus('wamid.gone', 'failed', 7, { code: 131026, title: 't', details: 'd' });
    expect(log.summary().statuses).toMatchObject({ read: 1, delivered: 1, failed: 1, failedByCode: { 131026: 1 } });
  });
});

describe('duplicate counting', () => {
  it('counts recipients and messages that repeat callback data or content, past the array-to-set promotion', () => {
    const log = new MessageLog({ recentPerConversation: 1, maxStoredMessages: 1 });
    const conv = log.conversation('p', '1', true);
    for (let i = 0; i < 40; i++) log.recordOutbound(conv, entry('1', { bizOpaqueCallbackData: `d-${i}` }), `content-${i}`);
    expect(log.summary().duplicates).toEqual({ callbackData: { recipients: 0, messages: 0 }, content: { recipients: 0, messages: 0 } });
    log.recordOutbound(conv, entry('1', { bizOpaqueCallbackData: 'd-3' }), 'content-new');
    log.recordOutbound(conv, entry('1', { bizOpaqueCallbackData: 'd-39' }), 'content-39');
    expect(log.summary().duplicates).toEqual({ callbackData: { recipients: 1, messages: 2 }, content: { recipients: 1, messages: 1 } });
  });

  it('clearMessages starts a new run: counters and duplicate memory go, windows and names stay', () => {
    const log = new MessageLog({ recentPerConversation: 5, maxStoredMessages: 5 });
    const conv = log.conversation('p', '1', true);
    log.recordInbound(conv, entry('1', { direction: 'inbound', at: 1000 }));
    conv.name = 'Maria';
    log.recordOutbound(conv, entry('1', { bizOpaqueCallbackData: 'd' }), 'c');
    log.clearMessages();
    log.recordOutbound(conv, entry('1', { bizOpaqueCallbackData: 'd' }), 'c');
    expect(log.summary()).toMatchObject({ messages: { accepted: 1 }, inbound: 0, duplicates: { callbackData: { messages: 0 } } });
    expect(conv).toMatchObject({ lastInboundAt: 1000, name: 'Maria' });
  });
});

it('lists conversations newest first with a cursor', () => {
  const log = new MessageLog({ recentPerConversation: 5, maxStoredMessages: 50 });
  for (const id of ['a', 'b', 'c', 'd']) log.recordOutbound(log.conversation('p', id, true), entry(id), id);
  log.recordOutbound(log.conversation('p', 'a', true), entry('a'), 'again');
  const first = log.listConversations({}, 2);
  expect(first.map((c) => c.waId)).toEqual(['a', 'd']);
  expect(log.listConversations({}, 2, first[1]!.activity).map((c) => c.waId)).toEqual(['c', 'b']);
});
