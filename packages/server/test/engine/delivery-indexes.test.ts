import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompiledQuery, sql, type Kysely, type KyselyPlugin } from 'kysely';
import { createDeliveryStore } from '../../src/adapters/storage/delivery-store';
import { createRunStore } from '../../src/adapters/storage/run-store';
import { createAnalyticsStore } from '../../src/adapters/storage/analytics-store';
import type { Database } from '../../src/adapters/storage/schema/index';
import { createTestContainer, DIALECTS } from '../helpers';

const NOW = Date.parse('2026-11-25T00:00:00Z');

/** Records every query the stores run, compiled, so the test can ask the database how it plans it. */
function recorder(db: Kysely<Database>) {
  const seen: CompiledQuery[] = [];
  const plugin: KyselyPlugin = {
    transformQuery: (args) => {
      seen.push(db.getExecutor().compileQuery(args.node, args.queryId));
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  return { seen, db: db.withPlugin(plugin) };
}

// The delivery queries that run while a broadcast is going out (and the analytics of a run) find their
// rows through the partial indexes of migrations 0005 and 0007 (open rows, queued rows, claimed rows,
// message IDs, 131049 failures) and the unique (task, run, recipient) key. A query that stopped matching
// a partial index's predicate would scan the whole table without failing anything else.
describe.each(DIALECTS)('delivery indexes on %s', (dialect) => {
  let t: Awaited<ReturnType<typeof createTestContainer>>;
  let rec: ReturnType<typeof recorder>;
  /** The store on the plain connection, for the answers (the recorded one is for the plans). */
  let plain: ReturnType<typeof createDeliveryStore>;

  async function plan(run: () => Promise<unknown>): Promise<string> {
    rec.seen.length = 0;
    await run();
    const q = rec.seen.at(-1);
    if (!q) throw new Error('no query ran');
    const db = t.c.db;
    if (dialect === 'sqlite') {
      const r = await db.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${q.sql}`, [...q.parameters]));
      return r.rows.map((x) => x.detail).join('\n');
    }
    // A small table is cheaper to scan: ask what PostgreSQL does when scanning is the expensive choice.
    return db.connection().execute(async (conn) => {
      await sql`set enable_seqscan = off`.execute(conn);
      try {
        const r = await conn.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`explain ${q.sql}`, [...q.parameters]));
        return r.rows.map((x) => x['QUERY PLAN']).join('\n');
      } finally {
        await sql`reset enable_seqscan`.execute(conn);
      }
    });
  }

  beforeAll(async () => {
    t = await createTestContainer(dialect);
    rec = recorder(t.c.db);
    const store = (plain = createDeliveryStore(t.c.db, dialect));
    await createRunStore(t.c.db).create({ id: 'r1', taskId: 't1', kind: 'scheduled', occurrenceAt: NOW, state: 'running' }, NOW);
    const rows = Array.from({ length: 3000 }, (_, i) => ({ taskId: 't1', runId: 'r1', recipient: `+1555${String(i).padStart(7, '0')}`, profileId: `p${i}`, phone: `+1555${String(i).padStart(7, '0')}`, priority: 'normal', dueAt: NOW }));
    await store.insertMany(rows, NOW);
    // Other tasks' finished deliveries: one task's rows are a small part of the table, as in use.
    for (let k = 0; k < 10; k++) {
      const other = Array.from({ length: 2000 }, (_, i) => ({ taskId: `t-other-${k}`, runId: `r-other-${k}`, recipient: `+1666${String(i).padStart(7, '0')}`, profileId: null, phone: null, priority: 'normal', dueAt: NOW }));
      await store.insertMany(other, NOW);
    }
    await t.c.db.updateTable('deliveries').set({ state: 'read', accepted_at: NOW, read_at: NOW }).where('task_id', '!=', 't1').execute();
    // Most finished, a few still open, one refused with 131049.
    await t.c.db.updateTable('deliveries').set({ state: 'delivered', wamid: sql<string>`'wamid.' || id`, accepted_at: NOW, delivered_at: NOW }).where('recipient', '>=', '+15550000020').execute();
    await t.c.db.updateTable('deliveries').set({ state: 'sending', sending_at: NOW }).where('recipient', '<', '+15550000010').execute();
    await t.c.db.updateTable('deliveries').set({ state: 'failed', error_code: 131049, failed_at: NOW }).where('recipient', '=', '+15550000015').execute();
    if (dialect === 'postgres') await sql`analyze deliveries`.execute(t.c.db);
    else await sql`analyze`.execute(t.c.db);
  });
  afterAll(async () => t?.close());

  const TABLE_SCAN = /SCAN deliveries\b(?! USING)|Seq Scan on deliveries/;
  const uses = (p: string, index: string) => {
    expect(p).toContain(index);
    expect(p).not.toMatch(TABLE_SCAN);
  };

  it('the run-completion check reads only open rows', async () => {
    const p = await plan(() => createRunStore(rec.db).finishedRunning());
    uses(p, 'deliveries_open');
    expect(await createRunStore(t.c.db).finishedRunning()).toEqual([]);
  });

  it('stuck sends, the overdue sweep and a task\'s queued rows read only open rows', async () => {
    const store = createDeliveryStore(rec.db, dialect);
    uses(await plan(() => store.stuckSending(NOW + 1, 100)), 'deliveries_sending');
    uses(await plan(() => store.overdueQueued(NOW + 1, NOW + 1, 100)), 'deliveries_queued_due');
    // PostgreSQL may read the task's queued rows from deliveries_queued_due as well: both hold queued rows only.
    expect(await plan(() => store.queuedOfTask('t1'))).toMatch(/deliveries_open|deliveries_queued_due/);
    expect((await plain.stuckSending(NOW + 1, 100)).length).toBe(10);
    expect((await plain.queuedOfTask('t1')).length).toBe(9);
  });

  it('a status finds its delivery by message ID; a 131049 hold by phone', async () => {
    const store = createDeliveryStore(rec.db, dialect);
    const one = await t.c.db.selectFrom('deliveries').select('wamid').where('state', '=', 'delivered').limit(1).executeTakeFirstOrThrow();
    uses(await plan(() => store.byWamid(one.wamid!)), 'deliveries_wamid');
    uses(await plan(() => store.marketingHolds(['+15550000015', '+15550000016'], NOW - 1)), 'deliveries_marketing_hold');
    expect([...(await plain.marketingHolds(['+15550000015', '+15550000016'], NOW - 1))]).toEqual(['+15550000015']);
  });

  it('a run\'s analytics go through the (task, run, recipient) key', async () => {
    const a = createAnalyticsStore(rec.db);
    const p = await plan(() => a.byStateReason({ runId: 'r1' }));
    expect(p).not.toMatch(TABLE_SCAN);
    const counts = Object.fromEntries((await createAnalyticsStore(t.c.db).byStateReason({ runId: 'r1' })).map((r) => [r.state, Number(r.n)]));
    expect(counts).toEqual({ queued: 9, sending: 10, failed: 1, delivered: 2980 });
  });
});
