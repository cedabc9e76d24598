import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers';
import { createDeliveryStore, deliveryIdFor } from '../../src/adapters/storage/delivery-store';
import { createRunStore } from '../../src/adapters/storage/run-store';

let s: TestServer;
afterEach(async () => { await s?.close(); });

describe('analytics API', () => {
  it('reports a task: audience, skipped by reason, sent/delivered/read, failed by code, clicks, rates, runs and paged deliveries', async () => {
    s = await startTestServer('sqlite');
    const store = createDeliveryStore(s.c.db);
    const runs = createRunStore(s.c.db);
    const now = s.c.clock.now();
    await runs.create({ id: 't1:r1', taskId: 't1', kind: 'scheduled', occurrenceAt: now, state: 'running' }, now);
    await runs.addAudience('t1:r1', 4);
    await store.insertMany(['a', 'b', 'c', 'd'].map((p) => ({ taskId: 't1', runId: 't1:r1', recipient: p, profileId: p, phone: `+861380000000${p.charCodeAt(0) - 96}`, priority: 'normal', dueAt: now })), now);
    const id = (p: string) => deliveryIdFor('t1', 't1:r1', p);
    await store.skip(id('a'), 'dnd_dropped', now);
    for (const p of ['b', 'c', 'd']) await store.claim(id(p), now);
    await store.accept(id('b'), 'w.b', now);
    await store.accept(id('c'), 'w.c', now);
    await store.fail(id('d'), { reason: null, code: 131026, title: 'Undeliverable' }, now);
    const b = (await store.get(id('b')))!;
    await store.applyStatus(b, 'read', now + 1000, null, null, now);
    await store.recordInteraction({ inboundId: 'in1', deliveryId: id('b'), taskId: 't1', kind: 'click', button: 'Yes', at: now + 2000 });

    const st = await s.request('GET', '/api/v1/tasks/t1/stats');
    expect(st.status).toBe(200);
    expect(st.body).toMatchObject({ audience: 4, sent: 2, delivered: 1, read: 1, skipped: { total: 1, byReason: { dnd_dropped: 1 } }, failed: { total: 1, byCode: { '131026': 1 } }, clicks: { total: 1, byButton: { Yes: 1 } }, rates: { read: 0.5 }, progress: { done: 4, total: 4 } });
    expect(st.body.series[0]).toMatchObject({ sent: 2 });

    const r = await s.request('GET', '/api/v1/tasks/t1/runs');
    expect(r.body).toMatchObject({ total: 1, items: [{ id: 't1:r1', audienceSize: 4 }] });
    const d = await s.request('GET', '/api/v1/tasks/t1/deliveries?state=skipped&reason=dnd_dropped');
    expect(d.body).toMatchObject({ total: 1, items: [{ profileId: 'a', state: 'skipped', reason: 'dnd_dropped' }] });
    const rs = await s.request('GET', '/api/v1/tasks/t1/runs/t1:r1/stats');
    expect(rs.body).toMatchObject({ sent: 2 });
    // A run is read through its own task only.
    expect((await s.request('GET', '/api/v1/tasks/t2/runs/t1:r1/stats')).status).toBe(404);
    expect((await s.request('GET', '/api/v1/tasks/t1/runs/t1:nope/stats')).status).toBe(404);
  });
});
