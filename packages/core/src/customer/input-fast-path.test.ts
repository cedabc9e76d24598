import { describe, expect, it } from 'vitest';
import { eventInputFastPath, eventInputSchema, parseEventInput } from './event-input';
import { parseProfileInput, profileInputFastPath, profileInputSchema } from './profile-input';

const NOW = Date.parse('2026-11-25T00:00:00Z');

/** The schema's output without keys left undefined (the fast path names every field). */
const defined = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;

const goodEvents: unknown[] = [
  { userId: 'u1', name: 'app_open' },
  { userId: '  u1 ', name: 'purchase', time: '2026-11-24T10:00:00Z', properties: { amount: 5, sku: 'S1', tags: ['a'], nested: { x: null } }, messageId: 'm1' },
  { identity: { type: 'whatsapp', value: '+8613800138000' }, name: 'Order Completed', time: '2026-11-24T10:00:00.123+08:00' },
  { identity: { type: 'email', value: 'A@Example.com' }, userId: 'u2', name: '$pay:done-1.x', properties: {} },
  { userId: 'x'.repeat(128), name: 'a'.repeat(128), messageId: 'm'.repeat(200), time: '2024-02-29T23:59:59.999999999-05:30' },
  { name: '_open' },
  JSON.parse('{"userId":"u","name":"a","properties":{"1":1,"b":2,"0":3}}'),
];
const badEvents: unknown[] = [
  null, 5, 'x', [], {}, { name: 'a', extra: 1 }, { userId: '', name: 'a' }, { userId: '   ', name: 'a' }, { userId: 5, name: 'a' },
  { userId: 'x'.repeat(129), name: 'a' }, { userId: 'u', name: 5 }, { userId: 'u', name: '1a' }, { userId: 'u', name: 'a'.repeat(129) },
  { userId: 'u' }, { userId: 'u', name: 'a', time: 'yesterday' }, { userId: 'u', name: 'a', time: 5 }, { userId: 'u', name: 'a', time: '2026-01-01T00:00:00' },
  { userId: 'u', name: 'a', time: '2026-02-30T00:00:00Z' }, { userId: 'u', name: 'a', time: '2026-01-01T24:00:00Z' }, { userId: 'u', name: 'a', time: '2026-01-01T00:00Z' },
  { userId: 'u', name: 'a', properties: [] }, { userId: 'u', name: 'a', properties: null }, { userId: 'u', name: 'a', properties: 'x' },
  { userId: 'u', name: 'a', messageId: '' }, { userId: 'u', name: 'a', messageId: 5 }, { userId: 'u', name: 'a', messageId: 'x'.repeat(201) },
  { identity: 5, name: 'a' }, { identity: {}, name: 'a' }, { identity: { type: '', value: 'v' }, name: 'a' }, { identity: { type: 't', value: 'v', x: 1 }, name: 'a' },
  { identity: { type: 't'.repeat(65), value: 'v' }, name: 'a' }, { identity: { type: 't', value: 'v'.repeat(321) }, name: 'a' }, { identity: null, name: 'a' },
  { identity: { type: 'whatsapp', value: '12345' }, name: 'a' }, { name: 'a' }, { userId: 'u', name: 'a', time: '2027-11-25T00:00:00Z' },
  { userId: 'u', name: 'a', properties: { big: 'x'.repeat(40_000) } },
];

const goodProfiles: unknown[] = [
  { id: 'u1' },
  { id: ' u1 ', subjectType: 'company', identities: { whatsapp: '+8613800138000', email: 'a@b.co' }, timezone: 'Asia/Shanghai', attributes: { city: 'Shanghai', age: 30, vip: true, since: '2026-01-01T00:00:00Z', langs: ['zh', 'en'], gone: null }, tags: { level: 3, gone: null, hot: false } },
  { identities: { phone: '008613800138000' }, timezone: null, attributes: {}, tags: {} },
  { id: 'x'.repeat(128), attributes: { long: 'y'.repeat(2000), list: Array.from({ length: 200 }, () => 'z'.repeat(500)) } },
];
const badProfiles: unknown[] = [
  null, [], 'x', {}, { id: '' }, { id: '  ' }, { id: 5 }, { id: 'x'.repeat(129) }, { id: 'u', extra: 1 }, { id: 'u', subjectType: '1x' }, { id: 'u', subjectType: 5 },
  { id: 'u', identities: [] }, { id: 'u', identities: { '1bad': 'x' } }, { id: 'u', identities: { email: 5 } }, { id: 'u', identities: { email: 'x'.repeat(321) } },
  { id: 'u', identities: { whatsapp: '13800138000' } }, { id: 'u', identities: { email: 'not-an-email' } }, { id: 'u', timezone: 5 }, { id: 'u', timezone: 'Mars/Olympus' },
  { id: 'u', attributes: [] }, { id: 'u', attributes: { a: { x: 1 } } }, { id: 'u', attributes: { a: 'x'.repeat(2001) } }, { id: 'u', attributes: { a: [1] } },
  { id: 'u', attributes: { a: Array.from({ length: 201 }, () => 'x') } }, { id: 'u', attributes: { a: ['x'.repeat(501)] } }, { id: 'u', attributes: { '1a': 1 } },
  { id: 'u', tags: { a: ['x'] } }, { id: 'u', tags: null }, { id: 'u', tags: { a: {} } },
];

/** Deterministic variations of the good inputs: each field replaced by values of every kind. */
function variations(good: unknown[], fields: string[]): unknown[] {
  const values: unknown[] = [undefined, null, '', ' ', 'ok', 5, 1.5, true, [], ['a'], [1], {}, { a: 1 }, { type: 'x', value: 'y' }, 'x'.repeat(2001), '2026-11-24T10:00:00Z', 'Asia/Shanghai'];
  const out: unknown[] = [];
  for (const g of good) {
    for (const f of fields) {
      for (const v of values) out.push({ ...(g as object), [f]: v });
    }
    out.push(JSON.parse(`{"__proto__": {"x": 1}, ${JSON.stringify(g).slice(1)}`));
    out.push(JSON.parse(`{${JSON.stringify(g).slice(1, -1)}, "properties": {"__proto__": 1}, "attributes": {"__proto__": 1}}`));
  }
  return out;
}

function agree<T>(name: string, fast: (x: unknown) => T | undefined, schema: { safeParse: (x: unknown) => { success: boolean; data?: unknown } }, inputs: unknown[]) {
  for (const x of inputs) {
    const f = fast(x);
    const z = schema.safeParse(x);
    if (f !== undefined) {
      expect(z.success, `${name}: fast path accepted what the schema refuses: ${JSON.stringify(x)}`).toBe(true);
      expect(defined(f), `${name}: ${JSON.stringify(x)}`).toEqual(defined(z.data));
    } else if (!z.success) {
      expect(f).toBeUndefined();
    }
  }
}

describe('hand-written input checks agree with the schemas', () => {
  const eventCorpus = [...goodEvents, ...badEvents, ...variations(goodEvents, ['userId', 'identity', 'name', 'time', 'properties', 'messageId', 'other'])];
  const profileCorpus = [...goodProfiles, ...badProfiles, ...variations(goodProfiles, ['id', 'subjectType', 'identities', 'timezone', 'attributes', 'tags', 'other'])];

  it('events: the fast path accepts exactly what the schema accepts, with the same values', () => {
    agree('event', eventInputFastPath, eventInputSchema, eventCorpus);
    for (const g of goodEvents) expect(eventInputFastPath(g), JSON.stringify(g)).toBeDefined();
  });

  it('profiles: the fast path accepts exactly what the schema accepts, with the same values', () => {
    agree('profile', profileInputFastPath, profileInputSchema, profileCorpus);
    for (const g of goodProfiles) expect(profileInputFastPath(g), JSON.stringify(g)).toBeDefined();
  });

  it('bad inputs are refused with the schema’s paths and messages', () => {
    expect(parseEventInput({ userId: 5, name: '1a', extra: true }, NOW, 'events.3')).toEqual({
      ok: false,
      error: [
        { path: 'events.3.userId', message: 'Invalid input: expected string, received number' },
        { path: 'events.3.name', message: 'must start with a letter, _ or $ and hold at most 128 letters, digits, _ . : $ - or spaces' },
        { path: 'events.3.extra', message: 'is not a known field' },
      ],
    });
    expect(parseEventInput({ userId: 'u', name: 'a', time: '2026-02-30T00:00:00Z' }, NOW)).toEqual({ ok: false, error: [{ path: 'time', message: 'Invalid ISO datetime' }] });
    expect(parseProfileInput({ id: 'u', attributes: { a: { x: 1 } } }, 'users.0').ok).toBe(false);
    for (const x of badEvents) expect(parseEventInput(x, NOW).ok, JSON.stringify(x)?.slice(0, 80)).toBe(false);
    for (const x of badProfiles) expect(parseProfileInput(x).ok, JSON.stringify(x)?.slice(0, 80)).toBe(false);
  });

  it('good inputs parse to the same result through either path', () => {
    // `{ name }` alone passes the schema; the rule after it wants a user.
    for (const g of goodEvents.filter((x) => Object.keys(x as object).length > 1)) {
      const r = parseEventInput(g, NOW);
      expect(r.ok, JSON.stringify(r)).toBe(true);
      const z = eventInputSchema.safeParse(g);
      expect(r.ok && r.value.propertiesJson).toBe(JSON.stringify(z.data?.properties ?? {}));
    }
    for (const g of goodProfiles) expect(parseProfileInput(g).ok).toBe(true);
  });
});
