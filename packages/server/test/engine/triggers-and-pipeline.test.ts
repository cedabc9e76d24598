import { afterEach, describe, expect, it } from 'vitest';
import { createEngineHarness, taskInput } from './harness';

type H = Awaited<ReturnType<typeof createEngineHarness>>;
let x: H;
afterEach(async () => { await x?.close(); });

const RANGE = { start: '2026-03-01T00:00:00Z', end: '2026-03-10T00:00:00Z' };
const triggered = (over: Record<string, unknown> = {}) => ({ type: 'triggered' as const, eventA: { name: 'app_open' }, range: RANGE, counting: { kind: 'cumulative' as const, n: 1 }, timing: { kind: 'immediate' as const }, ...over });

describe('triggered tasks', () => {
  it('sends at once on A, and a delayed one only when its timer falls due', async () => {
    x = await createEngineHarness();
    await x.profiles([{ id: 'u1', phone: '+8613800000001' }, { id: 'u2', phone: '+8613800000002' }]);
    x.h.addTask('now', taskInput({ trigger: triggered() }), 'running');
    x.h.addTask('later', taskInput({ trigger: triggered({ eventA: { name: 'buy' }, timing: { kind: 'delay', amount: 2, unit: 'hours' } }) }), 'running');
    await x.events([{ userId: 'u1', name: 'app_open', at: '2026-03-02T00:00:00Z' }, { userId: 'u2', name: 'buy', at: '2026-03-02T00:00:00Z' }]);
    await x.at('2026-03-02T00:00:00Z');
    expect(x.h.sent.map((s) => s.to)).toEqual(['+8613800000001']);
    await x.at('2026-03-02T01:59:00Z');
    expect(x.h.sent).toHaveLength(1);
    await x.at('2026-03-02T02:00:00Z');
    expect(x.h.sent.map((s) => s.to)).toEqual(['+8613800000001', '+8613800000002']);
  });

  it('every N reaches the user at N, 2N; cumulative N only once', async () => {
    x = await createEngineHarness();
    await x.profiles([{ id: 'u1', phone: '+8613800000001' }]);
    x.h.addTask('every', taskInput({ trigger: triggered({ counting: { kind: 'every', n: 2 } }) }), 'running');
    x.h.addTask('cum', taskInput({ trigger: triggered({ counting: { kind: 'cumulative', n: 2 } }) }), 'running');
    for (let i = 0; i < 5; i++) await x.events([{ userId: 'u1', name: 'app_open', at: `2026-03-02T00:0${i}:00Z` }]);
    await x.at('2026-03-02T00:10:00Z');
    expect((await x.deliveries('every')).map((d) => d.recipient)).toEqual(['u1#2', 'u1#4']);
    expect((await x.deliveries('cum')).map((d) => d.recipient)).toEqual(['u1#2']);
  });

  it('A and not B: B within the window cancels; without B the message is due at the end of the window', async () => {
    x = await createEngineHarness();
    await x.profiles([{ id: 'u1', phone: '+8613800000001' }, { id: 'u2', phone: '+8613800000002' }]);
    x.h.addTask('nb', taskInput({ trigger: { ...triggered(), type: 'triggered_not', eventB: { name: 'visit' }, window: { amount: 20, unit: 'minutes' } } }), 'running');
    await x.events([{ userId: 'u1', name: 'app_open', at: '2026-03-02T00:00:00Z' }, { userId: 'u2', name: 'app_open', at: '2026-03-02T00:00:00Z' }]);
    await x.at('2026-03-02T00:05:00Z');
    await x.events([{ userId: 'u2', name: 'visit', at: '2026-03-02T00:10:00Z' }]);
    await x.at('2026-03-02T00:19:59Z');
    expect(x.h.sent).toHaveLength(0);
    await x.at('2026-03-02T00:20:00Z');
    expect(x.h.sent.map((s) => s.to)).toEqual(['+8613800000001']);
    expect((await x.deliveries('nb')).find((d) => d.profile_id === 'u2')).toMatchObject({ state: 'skipped', reason: 'cancelled_by_event_b' });
  });

  it('checks the audience when the message is due', async () => {
    x = await createEngineHarness();
    await x.profiles([{ id: 'u1', phone: '+8613800000001' }]);
    x.h.addTask('t', taskInput({ trigger: triggered({ timing: { kind: 'delay', amount: 1, unit: 'hours' } }) }), 'running');
    await x.events([{ userId: 'u1', name: 'app_open', at: '2026-03-02T00:00:00Z' }]);
    x.h.outside.set('t', new Set(['u1']));
    await x.at('2026-03-02T01:00:00Z');
    expect((await x.deliveries('t'))[0]).toMatchObject({ state: 'skipped', reason: 'not_in_audience' });
  });

  it('the end time ends the task and drops what is still waiting, with the reason', async () => {
    x = await createEngineHarness();
    await x.profiles([{ id: 'u1', phone: '+8613800000001' }]);
    x.h.addTask('t', taskInput({ trigger: triggered({ timing: { kind: 'delay', amount: 3, unit: 'days' }, endAt: '2026-03-03T00:00:00Z' }) }), 'running');
    await x.events([{ userId: 'u1', name: 'app_open', at: '2026-03-02T00:00:00Z' }]);
    await x.at('2026-03-03T00:00:01Z');
    expect(x.h.tasks.get('t')!.state).toBe('ended');
    expect((await x.deliveries('t'))[0]).toMatchObject({ state: 'skipped', reason: 'dropped_at_end_time' });
    await x.at('2026-03-05T00:00:00Z');
    expect(x.h.sent).toHaveLength(0);
  });
});

describe('pipeline', () => {
  it('caps: three tasks due together for one user take a cap of 2 in priority order (notification, urgent), normal is skipped', async () => {
    x = await createEngineHarness();
    await x.settings({ channelCap: { max: 2, period: 'day' } });
    await x.profiles([{ id: 'u1', phone: '+8613800000001' }]);
    const at = '2026-03-02T02:00:00Z';
    for (const [id, type] of [['n', 'normal'], ['u', 'urgent'], ['x', 'notification']] as const) {
      x.h.addTask(id, taskInput({ name: id, trigger: { type: 'scheduled_once', sendAt: at }, delivery: { taskType: type, globalLimit: true } }));
      x.h.audiences.set(id, [{ profileId: 'u1', phone: '+8613800000001' }]);
    }
    await x.at(at);
    // The cap is decided for all three at once; Meta's pair rate then holds one of the two granted ~6 s.
    expect((await x.deliveries('n'))[0]).toMatchObject({ state: 'skipped', reason: 'channel_cap' });
    expect([(await x.deliveries('x'))[0]!.cap_granted, (await x.deliveries('u'))[0]!.cap_granted]).toEqual([1, 1]);
    await x.at('2026-03-02T02:00:06Z');
    expect((await x.deliveries('x'))[0]!.state).toBe('accepted');
    expect((await x.deliveries('u'))[0]!.state).toBe('accepted');
    expect((await x.deliveries('n'))[0]).toMatchObject({ state: 'skipped', reason: 'channel_cap' });
  });

  it('do-not-disturb across midnight: dropped in one timezone, deferred to the end of the period in another', async () => {
    x = await createEngineHarness();
    await x.profiles([{ id: 'sh', phone: '+8613800000001' }, { id: 'ny', phone: '+12025550101', timezone: 'America/New_York' }]);
    // 15:30Z = 23:30 in Shanghai (inside 22:00–08:00), 10:30 in New York (outside)
    x.h.addTask('drop', taskInput({ name: 'drop', trigger: { type: 'scheduled_once', sendAt: '2026-03-02T15:30:00Z' }, delivery: { dnd: { start: '22:00', end: '08:00', action: 'drop' } } }));
    x.h.audiences.set('drop', [{ profileId: 'sh', phone: '+8613800000001' }, { profileId: 'ny', phone: '+12025550101' }]);
    x.h.addTask('defer', taskInput({ name: 'defer', trigger: { type: 'scheduled_once', sendAt: '2026-03-02T15:30:00Z' }, delivery: { dnd: { start: '22:00', end: '08:00', action: 'defer' } } }));
    x.h.audiences.set('defer', [{ profileId: 'sh', phone: '+8613800000001' }]);
    await x.at('2026-03-02T15:30:00Z');
    expect((await x.deliveries('drop')).find((d) => d.profile_id === 'sh')).toMatchObject({ state: 'skipped', reason: 'dnd_dropped' });
    expect((await x.deliveries('drop')).find((d) => d.profile_id === 'ny')).toMatchObject({ state: 'accepted' });
    expect((await x.deliveries('defer'))[0]).toMatchObject({ state: 'queued', due_at: Date.parse('2026-03-03T00:00:00Z') });
    await x.at('2026-03-03T00:00:00Z');
    expect((await x.deliveries('defer'))[0]).toMatchObject({ state: 'accepted' });
  });

  it('exclusion skips users reached by an excluded task', async () => {
    x = await createEngineHarness();
    await x.profiles([{ id: 'u1', phone: '+8613800000001' }, { id: 'u2', phone: '+8613800000002' }]);
    x.h.addTask('first', taskInput({ name: 'first', trigger: { type: 'scheduled_once', sendAt: '2026-03-02T01:00:00Z' } }));
    x.h.audiences.set('first', [{ profileId: 'u1', phone: '+8613800000001' }]);
    x.h.addTask('second', taskInput({ name: 'second', trigger: { type: 'scheduled_once', sendAt: '2026-03-02T02:00:00Z' }, audience: { exclusion: { taskIds: ['first'] } } }));
    x.h.audiences.set('second', [{ profileId: 'u1', phone: '+8613800000001' }, { profileId: 'u2', phone: '+8613800000002' }]);
    await x.at('2026-03-02T01:00:00Z');
    await x.at('2026-03-02T02:00:00Z');
    expect((await x.deliveries('second')).map((d) => [d.profile_id, d.state, d.reason])).toEqual([['u1', 'skipped', 'excluded'], ['u2', 'accepted', null]]);
  });

  it('pause with hold keeps due messages queued and sends them after resume', async () => {
    x = await createEngineHarness();
    await x.profiles([{ id: 'u1', phone: '+8613800000001' }]);
    const t = x.h.addTask('t', taskInput({ trigger: triggered({ timing: { kind: 'delay', amount: 1, unit: 'hours' } }) }), 'running');
    await x.events([{ userId: 'u1', name: 'app_open', at: '2026-03-02T00:00:00Z' }]);
    t.state = 'paused';
    t.pauseMode = 'hold';
    await x.at('2026-03-02T01:00:00Z');
    expect((await x.deliveries('t'))[0]!.state).toBe('queued');
    t.state = 'running';
    await x.at('2026-03-02T01:01:00Z');
    expect((await x.deliveries('t'))[0]!.state).toBe('accepted');
  });

  it('status webhooks move a delivery forward only, park unknown wamids, and reconcile by callback data', async () => {
    x = await createEngineHarness();
    await x.profiles([{ id: 'u1', phone: '+8613800000001' }]);
    x.h.addTask('t', taskInput({ trigger: { type: 'scheduled_once', sendAt: '2026-03-02T02:00:00Z' } }));
    x.h.audiences.set('t', [{ profileId: 'u1', phone: '+8613800000001' }]);
    await x.at('2026-03-02T02:00:00Z');
    const d = (await x.deliveries('t'))[0]!;
    const u = x.engine.updates;
    const t0 = Date.parse('2026-03-02T02:00:05Z');
    await u.onStatuses([{ wamid: d.wamid!, status: 'read', at: t0 }, { wamid: d.wamid!, status: 'delivered', at: t0 - 1 }]);
    expect((await x.deliveries('t'))[0]).toMatchObject({ state: 'read' });
    const names = (await x.c.db.selectFrom('events').select('name').where('profile_id', '=', 'u1').execute()).map((e) => e.name).sort();
    expect(names).toEqual(['wareach.message.delivered', 'wareach.message.read', 'wareach.message.sent']);
    await u.onInbound([{ wamid: 'in1', from: '8613800000001', at: t0 + 5, contextWamid: d.wamid!, button: { id: 'b1', title: 'Yes' } }]);
    await u.onInbound([{ wamid: 'in1', from: '8613800000001', at: t0 + 5, contextWamid: d.wamid!, button: { id: 'b1', title: 'Yes' } }]);
    expect(await x.c.db.selectFrom('delivery_interactions').selectAll().execute()).toHaveLength(1);
    // a status for a wamid nobody knows is kept
    await u.onStatuses([{ wamid: 'wamid.unknown', status: 'delivered', at: t0 }]);
    expect(await x.c.db.selectFrom('unmatched_statuses').selectAll().execute()).toHaveLength(1);
  });
});
