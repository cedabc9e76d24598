import { afterEach, describe, expect, it } from 'vitest';
import { createCapStore } from '../../src/adapters/storage/cap-store';
import { createEngineHarness, taskInput, TEXT } from './harness';

type H = Awaited<ReturnType<typeof createEngineHarness>>;
let x: H;
afterEach(async () => { await x?.close(); });

describe('scheduled-once run', () => {
  it('sends once to every audience member and supplementary ID at the send time, then completes', async () => {
    x = await createEngineHarness();
    await x.profiles([{ id: 'u1', phone: '+8613800000001' }, { id: 'u2', phone: '+8613800000002' }, { id: 'u3', phone: '+8613800000003' }]);
    x.h.addTask('t1', taskInput({ trigger: { type: 'scheduled_once', sendAt: '2026-03-02T02:00:00Z' }, audience: { supplementaryIds: ['+8613900000009', '+8613800000001'] } }));
    x.h.audiences.set('t1', [{ profileId: 'u1', phone: '+8613800000001' }, { profileId: 'u2', phone: '+8613800000002' }, { profileId: 'u3', phone: '+8613800000003' }]);
    await x.at('2026-03-02T01:59:59Z');
    expect(x.h.sent).toHaveLength(0);
    await x.at('2026-03-02T02:00:00Z');
    expect(x.h.sent.map((s) => s.to).sort()).toEqual(['+8613800000001', '+8613800000002', '+8613800000003', '+8613900000009']);
    const ds = await x.deliveries('t1');
    expect(ds.every((d) => d.state === 'accepted' && d.wamid)).toBe(true);
    // a second scheduler tick (another worker) starts nothing twice
    await x.at('2026-03-02T02:00:01Z');
    expect(x.h.sent).toHaveLength(4);
    expect(x.h.tasks.get('t1')!.state).toBe('completed');
    const run = await x.c.db.selectFrom('runs').selectAll().execute();
    expect(run).toHaveLength(1);
    expect(run[0]).toMatchObject({ id: 't1:20260302T020000Z', state: 'completed', audience_size: 4 });
  });

  it('cancels a task still unapproved at its send time under the cancel policy', async () => {
    x = await createEngineHarness();
    x.h.addTask('t1', taskInput({ trigger: { type: 'scheduled_once', sendAt: '2026-03-02T02:00:00Z', approvalTimeout: 'cancel' } }), 'pending_approval');
    await x.at('2026-03-02T02:00:00Z');
    expect(x.h.tasks.get('t1')!.state).toBe('cancelled');
  });

  it('skips the run and records why when the segment refresh fails under the skip policy', async () => {
    x = await createEngineHarness();
    x.h.refreshResult = { kind: 'failed', reason: 'boom' };
    x.h.addTask('t1', taskInput({ trigger: { type: 'scheduled_once', sendAt: '2026-03-02T02:00:00Z', refreshFailure: 'skip' } }));
    x.h.audiences.set('t1', [{ profileId: 'u1', phone: '+8613800000001' }]);
    await x.at('2026-03-02T01:45:00Z');
    await x.at('2026-03-02T02:00:00Z');
    expect(x.h.sent).toHaveLength(0);
    const run = await x.c.db.selectFrom('runs').selectAll().executeTakeFirstOrThrow();
    expect(run).toMatchObject({ state: 'skipped', reason: 'segment_refresh_failed' });
  });

  it('fails free-form content to a user outside the 24-hour window without calling the API, and sends inside it', async () => {
    x = await createEngineHarness();
    await x.profiles([{ id: 'u1', phone: '+8613800000001' }, { id: 'u2', phone: '+8613800000002' }]);
    x.h.inbound.set('+8613800000002', Date.parse('2026-03-01T03:00:00Z'));
    x.h.addTask('t1', taskInput({ trigger: { type: 'scheduled_once', sendAt: '2026-03-02T02:00:00Z' }, content: TEXT('hi') }));
    x.h.audiences.set('t1', [{ profileId: 'u1', phone: '+8613800000001' }, { profileId: 'u2', phone: '+8613800000002' }]);
    await x.at('2026-03-02T02:00:00Z');
    expect(x.h.sent.map((s) => s.to)).toEqual(['+8613800000002']);
    const ds = await x.deliveries('t1');
    expect(ds.find((d) => d.profile_id === 'u1')).toMatchObject({ state: 'skipped', reason: 'outside_service_window' });
  });

  it('sends a CSV number without a profile unless the content inserts profile data', async () => {
    x = await createEngineHarness();
    x.h.addTask('plain', taskInput({ trigger: { type: 'scheduled_once', sendAt: '2026-03-02T02:00:00Z' }, audience: { mode: 'csv', csvUploadId: 'c1' } as never }));
    x.h.audiences.set('plain', [{ profileId: null, phone: '+8613700000001' }]);
    x.h.inbound.set('+8613700000001', Date.parse('2026-03-02T01:00:00Z'));
    x.h.addTask('personal', taskInput({ trigger: { type: 'scheduled_once', sendAt: '2026-03-02T02:00:00Z' }, content: TEXT('Hi {{attr.name}}'), audience: { mode: 'csv', csvUploadId: 'c2' } as never }));
    x.h.audiences.set('personal', [{ profileId: null, phone: '+8613700000001' }]);
    await x.at('2026-03-02T02:00:00Z');
    expect(x.h.sent).toHaveLength(1);
    expect((await x.deliveries('personal'))[0]).toMatchObject({ state: 'failed', reason: 'missing_profile_data' });
    expect((await x.deliveries('plain'))[0]).toMatchObject({ state: 'accepted' });
  });
});

describe('messaging tier', () => {
  it('paces a broadcast larger than the tier: slots now for the tier, the rest when the oldest slot frees, counted as paced', async () => {
    x = await createEngineHarness();
    x.h.tierLimit = 3;
    const users = [1, 2, 3, 4, 5].map((i) => ({ id: `u${i}`, phone: `+86138000000${i.toString().padStart(2, '0')}` }));
    await x.profiles(users);
    // u5 wrote to us within 24 hours: a conversation is open, it takes no tier slot.
    x.h.inbound.set('+8613800000005', Date.parse('2026-03-01T20:00:00Z'));
    x.h.addTask('t1', taskInput({ trigger: { type: 'scheduled_once', sendAt: '2026-03-02T02:00:00Z' } }));
    x.h.audiences.set('t1', users.map((u) => ({ profileId: u.id, phone: u.phone })));
    await x.at('2026-03-02T02:00:00Z');
    expect(x.h.sent).toHaveLength(4);
    expect(x.h.sent.map((s) => s.to)).toContain('+8613800000005');
    const waiting = (await x.deliveries('t1')).filter((d) => d.state === 'queued');
    expect(waiting).toHaveLength(1);
    expect(new Date(Number(waiting[0]!.due_at)).toISOString()).toBe('2026-03-03T02:00:00.001Z');
    expect(await x.c.db.selectFrom('runs').select(['paced', 'state']).executeTakeFirstOrThrow()).toMatchObject({ paced: 1, state: 'running' });
    await x.at('2026-03-03T02:00:00.001Z');
    expect(x.h.sent).toHaveLength(5);
    expect((await x.deliveries('t1')).every((d) => d.state === 'accepted')).toBe(true);
  });

  it('never grants more slots than the tier to batches reserving at the same time', async () => {
    x = await createEngineHarness();
    const caps = createCapStore(x.c.db, x.c.database.dialect);
    const now = x.clock.now();
    const batch = (from: number) => Array.from({ length: 20 }, (_, i) => `+861380000${String(from + i).padStart(4, '0')}`);
    const results = await Promise.all([caps.reserveTierMany('ch1', batch(0), 25, now), caps.reserveTierMany('ch1', batch(20), 25, now), caps.reserveTierMany('ch1', batch(10), 25, now)]);
    const granted = new Set(results.flatMap((m) => [...m].filter(([, v]) => v.ok).map(([p]) => p)));
    expect(granted.size).toBe(25);
    // A phone already counted keeps its slot; a new one waits for the oldest slot (24 h later).
    const again = await caps.reserveTierMany('ch1', [[...granted][0]!, '+8613900000000'], 25, now + 1000);
    expect([...again.values()]).toEqual([{ ok: true }, { ok: false, freeAt: now + 24 * 3_600_000 + 1 }]);
  });
});
