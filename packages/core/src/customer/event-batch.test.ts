import { describe, expect, it } from 'vitest';
import { EVENT_FIELD, FieldIndex, fieldRun, fieldValues, hasIdentities, packEvents } from './event-batch';
import type { EventIngest } from './event-input';

const ev = (e: Partial<EventIngest>): EventIngest => ({ name: 'open', at: 1, properties: {}, ...e }) as EventIngest;

describe('EventBatch', () => {
  it('reads back every field of every event, absent ones as undefined', () => {
    const events = [
      ev({ userId: 'u2', messageId: 'm1', properties: { a: 1 }, at: 5 }),
      ev({ identity: { type: 'whatsapp', value: '+8613800138000' }, name: 'buy' }),
      ev({ userId: 'u1', identity: { type: 'whatsapp', value: '+1' } }),
    ];
    const b = packEvents(events);
    expect(b.count).toBe(3);
    expect(fieldValues(b, EVENT_FIELD.userId)).toEqual(['u2', undefined, 'u1']);
    // The identity is kept only for an event without a user ID.
    expect(fieldValues(b, EVENT_FIELD.identityType)).toEqual([undefined, 'whatsapp', undefined]);
    expect(fieldValues(b, EVENT_FIELD.identityValue)).toEqual([undefined, '+8613800138000', undefined]);
    expect(fieldValues(b, EVENT_FIELD.name)).toEqual(['open', 'buy', 'open']);
    expect(fieldValues(b, EVENT_FIELD.properties)).toEqual(['{"a":1}', '{}', '{}']);
    expect(fieldValues(b, EVENT_FIELD.messageId)).toEqual(['m1', undefined, undefined]);
    expect([...b.at]).toEqual([5, 1, 1]);
    expect(b.userIds).toBe('["u1","u2"]');
    expect(hasIdentities(b)).toBe(true);
    expect(b.plain).toBe(true);
    // A run is what string_to_array(run, chr(1), chr(2)) takes.
    expect(fieldRun(b, EVENT_FIELD.userId)).toBe('u2\u0001\u0002\u0001u1');
    expect(fieldRun(b, EVENT_FIELD.messageId)).toBe('m1\u0001\u0002\u0001\u0002');
  });

  it('is not plain when a value holds a separator, and still reads back exactly', () => {
    const b = packEvents([ev({ userId: 'a\u0001b', messageId: 'x\u0002' }), ev({ userId: 'c' })]);
    expect(b.plain).toBe(false);
    expect(fieldValues(b, EVENT_FIELD.userId)).toEqual(['a\u0001b', 'c']);
    expect(fieldValues(b, EVENT_FIELD.messageId)).toEqual(['x\u0002', undefined]);
    expect(hasIdentities(b)).toBe(false);
  });

  it('reads any value by index as the sequential reader does, separators and absent values included', () => {
    const b = packEvents([
      ev({ userId: 'a\u0001b', messageId: 'x\u0002', at: 3 }),
      ev({ identity: { type: 'whatsapp', value: '+1' }, name: 'buy' }),
      ev({ userId: 'c', properties: { n: 2 } }),
    ]);
    for (const f of Object.values(EVENT_FIELD)) {
      const byIndex = new FieldIndex(b, f);
      const all = fieldValues(b, f);
      for (const i of [2, 0, 1]) expect(byIndex.get(i)).toEqual(all[i]);
    }
  });

  it('packs no events', () => {
    const b = packEvents([]);
    expect(b.count).toBe(0);
    expect(b.userIds).toBe('[]');
  });
});
