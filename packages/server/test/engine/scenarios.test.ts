import { afterEach, describe, expect, it } from 'vitest';
import type { SendOutcome } from '../../src/adapters/whatsapp/cloud-api-client';
import { SEND_DEADLINE_MS, SEND_TIMEOUT_MS } from '../../src/services/dispatcher';
import { RECONCILE_WINDOW_MS, REDRIVE_AFTER_MS } from '../../src/services/scheduler';
import { fanoutJob } from '../../src/services/dispatcher-jobs';
import { createEngineHarness, taskInput } from './harness';

type H = Awaited<ReturnType<typeof createEngineHarness>>;
let x: H;
afterEach(async () => { await x?.close(); });

// 2026-03-02 is a Monday. The harness project is in Asia/Shanghai (UTC+8).
const RANGE = { start: '2026-03-01T00:00:00Z', end: '2026-03-20T00:00:00Z' };
const triggered = (over: Record<string, unknown> = {}) => ({ type: 'triggered' as const, eventA: { name: 'app_open' }, range: RANGE, counting: { kind: 'cumulative' as const, n: 1 }, timing: { kind: 'immediate' as const }, ...over });
const dueOf = async (taskId: string) => Object.fromEntries((await x.deliveries(taskId)).map((d) => [d.profile_id, new Date(Number(d.due_at)).toISOString()]));
const sentTo = () => x.h.sent.map((s) => s.to);

describe('trigger timings, end to end through the engine', () => {
  it('at_time: the first 10:00 (project time) after the event, or 10:00 N local days later', async () => {
    x = await createEngineHarness();
    await x.profiles([{ id: 'early', phone: '+8613800000001' }, { id: 'late', phone: '+8613800000002' }, { id: 'later', phone: '+8613800000003' }]);
    x.h.addTask('at', taskInput({ name: 'at', trigger: triggered({ timing: { kind: 'at_time', time: '10:00' } }) }), 'running');
    x.h.addTask('at2', taskInput({ name: 'at2', trigger: triggered({ eventA: { name: 'buy' }, timing: { kind: 'at_time', time: '10:00', daysLater: 2 } }) }), 'running');
    await x.events([
      { userId: 'early', name: 'app_open', at: '2026-03-02T01:00:00Z' }, // 09:00 local → 10:00 that day
      { userId: 'late', name: 'app_open', at: '2026-03-02T03:00:00Z' }, // 11:00 local → 10:00 the next day
      { userId: 'later', name: 'buy', at: '2026-03-02T01:00:00Z' }, // Monday 09:00 local, 2 days later → Wednesday 10:00
    ]);
    expect(await dueOf('at')).toEqual({ early: '2026-03-02T02:00:00.000Z', late: '2026-03-03T02:00:00.000Z' });
    expect(await dueOf('at2')).toEqual({ later: '2026-03-04T02:00:00.000Z' });
    await x.at('2026-03-02T01:59:59Z');
    expect(sentTo()).toEqual([]);
    await x.at('2026-03-02T02:00:00Z');
    expect(sentTo()).toEqual(['+8613800000001']);
    await x.at('2026-03-03T02:00:00Z');
    expect(sentTo()).toEqual(['+8613800000001', '+8613800000002']);
    await x.at('2026-03-04T01:59:00Z');
    expect(sentTo()).toHaveLength(2);
    await x.at('2026-03-04T02:00:00Z');
    expect(sentTo()).toEqual(['+8613800000001', '+8613800000002', '+8613800000003']);
  });

  it('weekday Tuesday 10:00 (SPEC step 4): Monday → this Tuesday; Wednesday → next Tuesday; Tuesday 09:00 → that day; Tuesday 11:00 → next Tuesday', async () => {
    x = await createEngineHarness();
    await x.profiles([{ id: 'mon', phone: '+8613800000001' }, { id: 'wed', phone: '+8613800000002' }, { id: 'tue9', phone: '+8613800000003' }, { id: 'tue11', phone: '+8613800000004' }]);
    x.h.addTask('wd', taskInput({ trigger: triggered({ timing: { kind: 'weekday', weekdays: [2], time: '10:00' } }) }), 'running');
    // Events arrive as they happen (an event from the future is refused).
    for (const [userId, at] of [
      ['mon', '2026-03-02T04:00:00Z'], // Monday 12:00 local
      ['tue9', '2026-03-03T01:00:00Z'], // Tuesday 09:00 local
      ['tue11', '2026-03-03T03:00:00Z'], // Tuesday 11:00 local
      ['wed', '2026-03-04T04:00:00Z'], // Wednesday 12:00 local
    ] as const) {
      x.clock.set(at);
      await x.events([{ userId, name: 'app_open', at }]);
    }
    expect(await dueOf('wd')).toEqual({
      mon: '2026-03-03T02:00:00.000Z', tue9: '2026-03-03T02:00:00.000Z', tue11: '2026-03-10T02:00:00.000Z', wed: '2026-03-10T02:00:00.000Z',
    });
    // Tuesday 10:00 local went by (the clock is past it): the two due then went out on the first step.
    await x.at('2026-03-04T04:00:00Z');
    expect(sentTo().sort()).toEqual(['+8613800000001', '+8613800000003']);
    await x.at('2026-03-10T01:59:00Z');
    expect(sentTo()).toHaveLength(2);
    await x.at('2026-03-10T02:00:00Z');
    expect(sentTo().sort()).toEqual(['+8613800000001', '+8613800000002', '+8613800000003', '+8613800000004']);
  });
});

describe('counting within one ingestion batch', () => {
  it('five A events of one user in one batch: every 2 reaches the user at the 2nd and 4th, cumulative 3 once at the 3rd', async () => {
    x = await createEngineHarness();
    await x.profiles([{ id: 'u1', phone: '+8613800000001' }]);
    x.h.addTask('every', taskInput({ name: 'every', trigger: triggered({ counting: { kind: 'every', n: 2 } }) }), 'running');
    x.h.addTask('cum', taskInput({ name: 'cum', trigger: triggered({ counting: { kind: 'cumulative', n: 3 } }) }), 'running');
    x.clock.set('2026-03-02T00:10:00Z');
    await x.events([0, 1, 2, 3, 4].map((i) => ({ userId: 'u1', name: 'app_open', at: `2026-03-02T00:0${i}:00Z` })));
    expect((await x.deliveries('every')).map((d) => [d.recipient, new Date(Number(d.trigger_at)).toISOString()])).toEqual([['u1#2', '2026-03-02T00:01:00.000Z'], ['u1#4', '2026-03-02T00:03:00.000Z']]);
    expect((await x.deliveries('cum')).map((d) => d.recipient)).toEqual(['u1#3']);
    // Three messages to one user from one number, due together: Meta's pair rate lets one go now and
    // the others one interval (6 s) apart.
    await x.engine.step();
    expect(sentTo()).toEqual(['+8613800000001']);
    await x.at('2026-03-02T00:10:06Z');
    expect(sentTo()).toHaveLength(2);
    await x.at('2026-03-02T00:10:12Z');
    expect(sentTo()).toHaveLength(3);
    expect(x.h.sent.map((s) => s.at - Date.parse('2026-03-02T00:10:00Z'))).toEqual([0, 6_000, 12_000]);
  });
});

describe('recurring runs across a DST change', () => {
  it('daily at 09:00 New York time runs at 14:00Z before the clocks change on 8 March and at 13:00Z after, once each', async () => {
    x = await createEngineHarness();
    await x.settings({ timezone: 'America/New_York' });
    await x.profiles([{ id: 'u1', phone: '+12125550101' }]);
    x.h.addTask('daily', taskInput({ trigger: { type: 'recurring', cycle: { kind: 'daily', time: '09:00' }, startAt: '2026-03-06T00:00:00Z', endAt: '2026-03-10T23:00:00Z', refreshSegment: false } }));
    x.h.audiences.set('daily', [{ profileId: 'u1', phone: '+12125550101' }]);
    const expected = ['2026-03-06T14:00:00Z', '2026-03-07T14:00:00Z', '2026-03-08T13:00:00Z', '2026-03-09T13:00:00Z', '2026-03-10T13:00:00Z'];
    for (const at of expected) {
      await x.at(new Date(Date.parse(at) - 1000).toISOString());
      const before = x.h.sent.length;
      await x.at(at);
      expect(x.h.sent.length, at).toBe(before + 1);
      // the same tick again (another worker) starts nothing twice
      await x.at(new Date(Date.parse(at) + 1000).toISOString());
      expect(x.h.sent.length, at).toBe(before + 1);
    }
    // 14:00Z on the 8th is 10:00 EDT: no run there.
    const runs = (await x.c.db.selectFrom('runs').select(['id', 'state']).where('task_id', '=', 'daily').orderBy('occurrence_at').execute());
    expect(runs.map((r) => r.id)).toEqual(expected.map((t) => `daily:${t.replace(/[-:]/g, '').replace('.000', '')}`));
    expect(runs.every((r) => r.state === 'completed')).toBe(true);
    await x.at('2026-03-11T00:00:00Z');
    expect(x.h.tasks.get('daily')!.state).toBe('ended');
    expect(x.h.sent).toHaveLength(5);
  });
});

describe('pause', () => {
  it('with drop: messages falling due while paused are skipped as paused_dropped and not sent after resume', async () => {
    x = await createEngineHarness();
    await x.profiles([{ id: 'u1', phone: '+8613800000001' }, { id: 'u2', phone: '+8613800000002' }]);
    const t = x.h.addTask('t', taskInput({ trigger: triggered({ timing: { kind: 'delay', amount: 1, unit: 'hours' } }) }), 'running');
    await x.events([{ userId: 'u1', name: 'app_open', at: '2026-03-02T00:00:00Z' }]);
    t.state = 'paused';
    t.pauseMode = 'drop';
    await x.at('2026-03-02T01:00:00Z');
    expect((await x.deliveries('t'))[0]).toMatchObject({ state: 'skipped', reason: 'paused_dropped' });
    t.state = 'running';
    t.pauseMode = null;
    await x.events([{ userId: 'u2', name: 'app_open', at: '2026-03-02T01:30:00Z' }]);
    await x.at('2026-03-02T02:30:00Z');
    expect(sentTo()).toEqual(['+8613800000002']);
  });
});

describe('recurring fan-out re-drive', () => {
  it('a run left pending (its fan-out job lost) is handed over again and sends once', async () => {
    x = await createEngineHarness();
    await x.profiles([{ id: 'u1', phone: '+8613800000001' }]);
    x.h.addTask('r', taskInput({ trigger: { type: 'recurring', cycle: { kind: 'daily', time: '10:00' }, startAt: '2026-03-02T00:00:00Z', endAt: '2026-03-05T00:00:00Z', refreshSegment: false } }));
    x.h.audiences.set('r', [{ profileId: 'u1', phone: '+8613800000001' }]);
    // The scheduler creates the run and hands over its fan-out; the job is lost before any worker runs it.
    await x.engine.scheduler.tick(Date.parse('2026-03-02T02:00:00Z'));
    x.clock.set('2026-03-02T02:00:00Z');
    await x.c.db.deleteFrom('queue_jobs').execute();
    expect(await x.engine.queue.counts(fanoutJob as never)).toMatchObject({ pending: 0 });
    await x.at('2026-03-02T02:00:30Z');
    expect(x.h.sent).toHaveLength(0);
    expect((await x.engine.runs.get('r:20260302T020000Z'))?.state).toBe('pending');
    await x.at(new Date(Date.parse('2026-03-02T02:00:00Z') + REDRIVE_AFTER_MS + 1000).toISOString());
    expect(sentTo()).toEqual(['+8613800000001']);
    await x.at('2026-03-02T02:10:00Z');
    expect(sentTo()).toHaveLength(1);
    expect((await x.engine.runs.get('r:20260302T020000Z'))?.state).toBe('completed');
  });
});

describe('exactly once: reconciliation of sends with an unknown outcome', () => {
  const timeout: SendOutcome = { kind: 'failed', attempts: 1, code: null, title: 'Request timed out', message: 'UND_ERR_HEADERS_TIMEOUT', httpStatus: null, classification: { kind: 'transient', retryable: true, backoff: { baseMs: 2000, maxMs: 300000 }, mayHaveSent: true } };
  const bound = RECONCILE_WINDOW_MS + SEND_DEADLINE_MS + SEND_TIMEOUT_MS;

  it('a timed-out send is never repeated blindly: adopted when its `sent` status names it; sent again only once later statuses prove it was not accepted', async () => {
    x = await createEngineHarness();
    await x.profiles([{ id: 'u1', phone: '+8613800000001' }, { id: 'u2', phone: '+8613800000002' }, { id: 'u3', phone: '+8613800000003' }]);
    x.h.addTask('t', taskInput({ trigger: { type: 'scheduled_once', sendAt: '2026-03-02T02:00:00Z' } }));
    x.h.audiences.set('t', [{ profileId: 'u1', phone: '+8613800000001' }, { profileId: 'u2', phone: '+8613800000002' }, { profileId: 'u3', phone: '+8613800000003' }]);
    x.h.failNext = [timeout, timeout]; // the first two sends time out; the third is accepted
    const t0 = Date.parse('2026-03-02T02:00:00Z');
    await x.at('2026-03-02T02:00:00Z');
    const rows = await x.deliveries('t');
    const stuck = rows.filter((d) => d.state === 'sending');
    const ok = rows.find((d) => d.state === 'accepted')!;
    expect(stuck).toHaveLength(2);
    expect(x.h.sent).toHaveLength(1);
    const [adopted, lost] = stuck as [typeof stuck[0], typeof stuck[0]];

    // WhatsApp did accept the first one: its `sent` status carries our delivery id.
    await x.engine.updates.onStatuses([{ wamid: 'wamid.accepted-after-timeout', status: 'sent', at: t0 + 2_000, bizOpaqueCallbackData: x.engine.refs.toCallback(adopted.id) }]);
    expect((await x.c.db.selectFrom('deliveries').selectAll().where('id', '=', adopted.id).executeTakeFirstOrThrow())).toMatchObject({ state: 'accepted', wamid: 'wamid.accepted-after-timeout' });

    // No status webhook arrives after the bound: nothing can be proven, nothing is sent again.
    await x.at(new Date(t0 + bound + 60_000).toISOString());
    expect((await x.c.db.selectFrom('deliveries').select('state').where('id', '=', lost.id).executeTakeFirstOrThrow()).state).toBe('sending');
    expect(x.h.sent).toHaveLength(1);

    // Statuses keep flowing (here: the accepted message is delivered) later than the bound, and none named it: it was not accepted.
    await x.engine.updates.onStatuses([{ wamid: ok.wamid!, status: 'delivered', at: t0 + bound + 61_000 }]);
    await x.at(new Date(t0 + bound + 62_000).toISOString());
    expect(x.h.sent.map((s) => s.to).sort()).toEqual([ok.phone, lost.phone].sort());
    await x.at(new Date(t0 + bound + 3_600_000).toISOString());
    expect(x.h.sent).toHaveLength(2);
    expect((await x.deliveries('t')).map((d) => d.state).sort()).toEqual(['accepted', 'accepted', 'delivered']);
  });
});
