import { statusFromWebhook, type WebhookMessageStatus } from '@wareach/core';
import type { DeliveryRefs } from '../adapters/crypto';
import type { DeliveryRow, DeliveryStore } from '../adapters/storage/delivery-store';
import type { CallbackEvents } from './callback-events';
import type { Clock } from './ports';

/** A status from a WhatsApp webhook, as the webhook service parses it (times in epoch ms). */
export interface DeliveryStatusUpdate {
  wamid: string;
  status: WebhookMessageStatus;
  at: number;
  bizOpaqueCallbackData?: string | undefined;
  error?: { code: number | null; title: string | null } | undefined;
}

/** An inbound user message; `contextWamid` is the wamid of our message it answers or whose button it taps. */
export interface DeliveryInbound {
  wamid: string;
  from: string;
  at: number;
  contextWamid?: string | undefined;
  /** Present for a button or list-row tap. */
  button?: { id?: string | undefined; title: string } | undefined;
}

/**
 * What status webhooks and replies do to deliveries (SPEC section 5, step 10):
 * - a status moves the delivery it names forward, never backwards (core `mergeStatus`);
 * - found by wamid; when no delivery has that wamid yet, by `biz_opaque_callback_data` (our delivery
 *   ID) — the reconciliation of a worker that crashed after WhatsApp accepted the message but before it
 *   wrote the wamid; otherwise the status is kept in `unmatched_statuses` and applied when a delivery
 *   learns that wamid (`applyPending`);
 * - every change, reply and click is also a callback event.
 */
export function createDeliveryUpdates(deps: { store: DeliveryStore; callbacks: CallbackEvents; clock: Clock; refs: DeliveryRefs; noteStatusSeen?: (at: number) => Promise<void> }) {
  const { store, callbacks, clock } = deps;

  async function apply(row: DeliveryRow, s: { status: WebhookMessageStatus; at: number; error?: DeliveryStatusUpdate['error']; wamid: string | null }) {
    const r = await store.applyStatus(row, statusFromWebhook(s.status), s.at, s.error ?? null, s.wamid, clock.now());
    if (!r) return;
    const errorCode = r.to === 'failed' && s.error?.code != null ? { errorCode: s.error.code } : {};
    await callbacks.emit(r.row, { kind: 'status', from: r.from, to: r.to, at: s.at, ...errorCode });
    // The delivery may just have learnt its wamid (reconciliation): statuses parked under it apply now.
    if (row.wamid === null && s.wamid) await applyPending(r.row);
  }

  /** Applies statuses that arrived before the delivery knew its wamid. */
  async function applyPending(row: DeliveryRow): Promise<void> {
    if (!row.wamid) return;
    const parked = await store.takeUnmatched(row.wamid);
    let current: DeliveryRow | undefined = row;
    for (const p of parked) {
      current = await store.get(row.id);
      if (!current) return;
      await apply(current, { status: p.status as WebhookMessageStatus, at: Number(p.at), error: { code: p.error_code, title: p.error_title }, wamid: null });
    }
  }

  /** applyPending for a batch: one look-up for all their wamids (almost always finding nothing). */
  async function applyPendingMany(rows: DeliveryRow[]): Promise<void> {
    const byWamid = new Map(rows.filter((r) => r.wamid).map((r) => [r.wamid!, r]));
    if (!byWamid.size) return;
    const parked = await store.takeUnmatchedMany([...byWamid.keys()]);
    for (const p of parked) {
      const row = byWamid.get(p.wamid);
      const current = row ? await store.get(row.id) : undefined;
      if (!current) continue;
      await apply(current, { status: p.status as WebhookMessageStatus, at: Number(p.at), error: { code: p.error_code, title: p.error_title }, wamid: null });
    }
  }

  return {
    applyPending,
    applyPendingMany,
    async onStatuses(statuses: DeliveryStatusUpdate[]): Promise<void> {
      for (const s of statuses) {
        let row = await store.byWamid(s.wamid);
        const named = !row && s.bizOpaqueCallbackData ? deps.refs.fromCallback(s.bizOpaqueCallbackData) : undefined;
        if (named) {
          const byId = await store.get(named);
          // Only a delivery that has no wamid yet may adopt this one: a retried send has its own.
          if (byId && (byId.wamid === null || byId.wamid === s.wamid)) row = byId;
        }
        if (!row) {
          await store.addUnmatched({ wamid: s.wamid, status: s.status, at: s.at, code: s.error?.code ?? null, title: s.error?.title ?? null }, clock.now());
          continue;
        }
        await apply(row, { status: s.status, at: s.at, error: s.error, wamid: s.wamid });
      }
      if (statuses.length) await deps.noteStatusSeen?.(clock.now());
    },
    async onInbound(messages: DeliveryInbound[]): Promise<void> {
      for (const m of messages) {
        if (!m.contextWamid) continue;
        const row = await store.byWamid(m.contextWamid);
        if (!row) continue;
        const kind = m.button ? 'click' : 'reply';
        const fresh = await store.recordInteraction({ inboundId: m.wamid, deliveryId: row.id, taskId: row.task_id, kind, button: m.button?.title ?? null, at: m.at });
        if (!fresh) continue;
        if (m.button) {
          await callbacks.emit(row, { kind: 'click', at: m.at, inboundMessageId: m.wamid, button: m.button.title, ...(m.button.id !== undefined ? { buttonId: m.button.id } : {}) });
        } else {
          await callbacks.emit(row, { kind: 'reply', at: m.at, inboundMessageId: m.wamid });
        }
      }
    },
  };
}
export type DeliveryUpdates = ReturnType<typeof createDeliveryUpdates>;
