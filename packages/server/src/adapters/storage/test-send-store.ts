import type { Insertable, Kysely, Selectable } from 'kysely';
import type { TestSendsTable } from './schema/channels';
import type { Database } from './schema/index';

export type TestSendRow = Selectable<TestSendsTable>;

const RANK: Record<string, number> = { failed: 0, accepted: 1, sent: 2, delivered: 3, read: 4 };

/** Test sends (SPEC step 5): a real send recorded apart from task deliveries. */
export function createTestSendStore(db: Kysely<Database>) {
  return {
    async insert(rows: Insertable<TestSendsTable>[]): Promise<void> {
      if (rows.length) await db.insertInto('test_sends').values(rows).execute();
    },

    async list(q: { limit: number; offset: number; channelId?: string }): Promise<TestSendRow[]> {
      let s = db.selectFrom('test_sends').selectAll();
      if (q.channelId) s = s.where('channel_id', '=', q.channelId);
      return s.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.limit).offset(q.offset).execute();
    },

    async byWamids(wamids: string[]): Promise<TestSendRow[]> {
      const out: TestSendRow[] = [];
      for (let i = 0; i < wamids.length; i += 500) out.push(...(await db.selectFrom('test_sends').selectAll().where('wamid', 'in', wamids.slice(i, i + 500)).execute()));
      return out;
    },

    /**
     * Applies a status webhook. The state only moves forward (sent → delivered → read; failed from any
     * state but read), while each `<status>_at` time is recorded once, whatever the order of arrival.
     */
    async applyStatus(id: string, status: 'sent' | 'delivered' | 'read' | 'failed', at: number, error?: { code: string; title: string }): Promise<void> {
      const row = await db.selectFrom('test_sends').select(['state', 'sent_at', 'delivered_at', 'read_at', 'failed_at']).where('id', '=', id).executeTakeFirst();
      if (!row) return;
      const patch: Partial<Insertable<TestSendsTable>> = { updated_at: at };
      const col = `${status}_at` as const;
      if (row[col] === null) patch[col] = at;
      if (status === 'failed') {
        if (row.state !== 'read' && row.state !== 'delivered') {
          patch.state = 'failed';
          if (error) {
            patch.error_code = error.code;
            patch.error_title = error.title;
          }
        }
      } else if (row.state !== 'failed' && (RANK[status] ?? 0) > (RANK[row.state] ?? 0)) {
        patch.state = status;
      }
      await db.updateTable('test_sends').set(patch).where('id', '=', id).execute();
    },
  };
}
export type TestSendStore = ReturnType<typeof createTestSendStore>;
