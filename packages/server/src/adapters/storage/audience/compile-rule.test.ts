import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateRule, fixtureContext, ruleReferences, generateAudienceFixture, generateRandomRule, parseAudienceRule, type AudienceFixture, type AudienceRule } from '@wareach/core';
import { createTestDatabase, DIALECTS } from '../../../../test/helpers';
import { loadAudienceFixture } from '../../../../test/tasks/load-audience-fixture';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../database';
import { audienceIdsQuery, estimateAudience, profileMatches } from './audience-query';

const fx: AudienceFixture = generateAudienceFixture(20261125, { users: 400, eventsPerUser: 8 });
const SEEDS = Array.from({ length: 400 }, (_, i) => i + 1);

function expected(rule: AudienceRule): string[] {
  return fx.users.filter((u) => evaluateRule(rule, u, fixtureContext(fx, u.oneId))).map((u) => u.oneId).sort();
}

function valid(rule: unknown): AudienceRule {
  const r = parseAudienceRule(rule);
  if (!r.ok) throw new Error(`invalid rule: ${JSON.stringify(r.error)}`);
  return r.value;
}

describe.each(DIALECTS)('rule compiler on %s', (dialect) => {
  let h: DatabaseHandle;
  let drop: () => Promise<void>;
  const members = async (rule: AudienceRule) => {
    const r = await audienceIdsQuery(dialect, { rule, now: fx.now, subjectType: 'user' }).execute(h.db);
    return r.rows.map((x) => x.id).sort();
  };

  beforeAll(async () => {
    const t = await createTestDatabase(dialect);
    drop = t.drop;
    h = openDatabase(t.database, { poolSize: 2 });
    await migrateToLatest(h.db);
    await loadAudienceFixture(h.db, fx);
  });
  afterAll(async () => {
    await h?.close();
    await drop?.();
  });

  it('selects the same profiles as the reference evaluator for random rules of every shape', async () => {
    const mismatches: string[] = [];
    for (const seed of SEEDS) {
      const rule = valid(generateRandomRule(seed, { depth: 1 + (seed % 5) }));
      const want = expected(rule);
      const got = await members(rule);
      if (JSON.stringify(want) !== JSON.stringify(got)) {
        mismatches.push(`seed ${seed}: want ${want.length}, got ${got.length}; only want: ${want.filter((x) => !got.includes(x)).slice(0, 3).join(',')} only got: ${got.filter((x) => !want.includes(x)).slice(0, 3).join(',')}\n${JSON.stringify(rule)}`);
      }
    }
    expect(mismatches.slice(0, 5).join('\n\n')).toBe('');
  });

  it('answers single-profile checks and estimates consistently with the member list', async () => {
    for (const seed of SEEDS.slice(0, 40)) {
      const rule = valid(generateRandomRule(seed * 7919, { depth: 3 }));
      const want = expected(rule);
      const est = await estimateAudience(h.db, dialect, { rule, now: fx.now, subjectType: 'user' });
      const withPhone = want.filter((id) => fx.users.find((u) => u.oneId === id)!.identities.some((i) => i.type === 'whatsapp'));
      expect(est, `seed ${seed}`).toEqual({ oneIds: want.length, sendIds: withPhone.length });
      for (const u of fx.users.slice(0, 25)) {
        expect(await profileMatches(h.db, dialect, { rule, now: fx.now, subjectType: 'user' }, u.oneId), `seed ${seed} ${u.oneId}`).toBe(want.includes(u.oneId));
      }
    }
  });

  it('reads a realtime segment named in a rule by evaluating its own rule live', async () => {
    for (const seed of SEEDS.slice(0, 60)) {
      const inner = valid(generateRandomRule(seed * 31, { depth: 2 }));
      if (ruleReferences(inner).segments.includes('seg_b')) continue; // a segment naming itself is refused upstream
      const rule = valid(generateRandomRule(seed * 17, { depth: 3 }));
      // Every profile's seg_b membership becomes "matches `inner` now".
      const liveFx = (id: string) => {
        const u = fx.users.find((x) => x.oneId === id)!;
        const ctx = fixtureContext(fx, id);
        const member = new Set([...ctx.segmentMembership].filter((x) => x !== 'seg_b'));
        if (evaluateRule(inner, u, ctx)) member.add('seg_b');
        return { ...ctx, segmentMembership: member };
      };
      const want = fx.users.filter((u) => evaluateRule(rule, u, liveFx(u.oneId))).map((u) => u.oneId).sort();
      const segments = new Map([['seg_b', { kind: 'live' as const, rule: inner, subjectType: 'user' }]]);
      const got = (await audienceIdsQuery(dialect, { rule, now: fx.now, subjectType: 'user', segments }).execute(h.db)).rows.map((x) => x.id).sort();
      expect(got, `seed ${seed}`).toEqual(want);
    }
  });

  it('an empty AND matches every profile of the subject and an empty OR none', async () => {
    expect(await members({ kind: 'and', children: [] })).toHaveLength(fx.users.length);
    expect(await members({ kind: 'or', children: [] })).toHaveLength(0);
    const other = await audienceIdsQuery(dialect, { rule: { kind: 'and', children: [] }, now: fx.now, subjectType: 'merchant' }).execute(h.db);
    expect(other.rows).toHaveLength(0);
  });

  it('treats rule values carrying SQL, quotes, backslashes and wildcards as plain data', async () => {
    const nasty = ["'; drop table profiles; --", "O'Brien", 'back\\slash', '100%', '_', '%', '"quoted"', "') OR 1=1 --", '$.city', 'tab\there', '\u0001'];
    for (const value of nasty) {
      const rules: AudienceRule[] = [
        { kind: 'and', children: [{ kind: 'attribute', name: 'city', valueType: 'string', op: 'eq', value }] },
        { kind: 'and', children: [{ kind: 'attribute', name: value, valueType: 'string', op: 'contains', value }] },
        { kind: 'or', children: [{ kind: 'tag', name: 'persona', valueType: 'string', op: 'in', value: [value, 'loyal'] }] },
        { kind: 'and', children: [{ kind: 'attribute', name: 'city', valueType: 'string', op: 'starts_with', value }] },
        { kind: 'and', children: [{ kind: 'event', name: value, did: false, filters: [], timeRange: { kind: 'relative', last: 30, unit: 'days' } }] },
        { kind: 'and', children: [{ kind: 'event', name: 'purchase', did: true, filters: [{ property: value, op: 'eq', value }, { property: 'sku', op: 'contains', value }], timeRange: { kind: 'relative', last: 60, unit: 'days' } }] },
        { kind: 'and', children: [{ kind: 'event', name: 'purchase', did: false, filters: [{ property: value, op: 'not_exists' }], timeRange: { kind: 'relative', last: 60, unit: 'days' } }] },
        { kind: 'and', children: [{ kind: 'segment', segmentId: value, member: false }, { kind: 'identity', type: value, has: false }] },
      ];
      for (const rule of rules) expect(await members(valid(rule)), JSON.stringify(rule)).toEqual(expected(rule));
    }
    const still = await h.db.selectFrom('profiles').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(still.n)).toBe(fx.users.length);
  });

  it('reads event property names with dots, quotes and backslashes literally', async () => {
    const at = fx.now - 3_600_000;
    const keys = ['a.b', 'q"x', 'x\\y', 'sp ace', '[0]', '$'];
    await h.db.insertInto('events').values(keys.map((k, i) => ({ profile_id: 'u00001', name: 'odd_keys', at: at + i, properties: JSON.stringify({ [k]: `v${i}`, a: { b: 'nested' } }), message_id: null, received_at: at }))).execute();
    for (const [i, k] of keys.entries()) {
      const rule = valid({ kind: 'and', children: [{ kind: 'event', name: 'odd_keys', did: true, count: { op: 'eq', value: 1 }, filters: [{ property: k, op: 'eq', value: `v${i}` }], timeRange: { kind: 'relative', last: 1, unit: 'days' } }] });
      expect(await members(rule), k).toEqual(['u00001']);
    }
    await h.db.deleteFrom('events').where('name', '=', 'odd_keys').execute();
  });
});
