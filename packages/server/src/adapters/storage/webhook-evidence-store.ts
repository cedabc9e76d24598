import type { Kysely } from 'kysely';
import type { Database } from './schema/index';

/**
 * What the exactly-once reconciler may conclude from the webhook inbox (webhook_inbox, owned by the
 * WhatsApp area; read-only here). `settledThrough` is the latest receive time T such that a webhook
 * received at T has been processed and every webhook received at or before T has been processed too —
 * none is pending, retrying, or held by a drain whose process may have died. A `sent` status posted
 * before T has therefore reached the delivery it names.
 *
 * Rows the receiving process hands straight to its own drain are stored `processing` (claimed at their
 * receive time), so they count as open here exactly like claimed rows. A POST's row becomes visible when
 * its group commits, a few milliseconds after its receive time; a row still in flight can therefore sit
 * below T for that long. The reconciler only acts on T past claim + deadline + timeout + its window
 * (minutes), so such a row would have to be a webhook already later than the window: the residual risk
 * the README states, not a new one.
 */
export function createWebhookEvidenceStore(db: Kysely<Database>) {
  return {
    async settledThrough(): Promise<number> {
      const newestDone = await db.selectFrom('webhook_inbox').select(['received_at']).where('state', '=', 'done').orderBy('id', 'desc').limit(1).executeTakeFirst();
      if (!newestDone) return 0;
      const oldestOpen = await db
        .selectFrom('webhook_inbox')
        .select((eb) => eb.fn.min('received_at').as('t'))
        .where('state', 'in', ['pending', 'processing'])
        .executeTakeFirst();
      const done = Number(newestDone.received_at);
      return oldestOpen?.t == null ? done : Math.min(done, Number(oldestOpen.t) - 1);
    },
  };
}
export type WebhookEvidenceStore = ReturnType<typeof createWebhookEvidenceStore>;
