/**
 * The state of one delivery (one message to one recipient in one run).
 *
 * - `queued`: due, waiting for the pipeline (SPEC section 5);
 * - `sending`: the Graph API call is being made (claimed by a worker);
 * - `accepted`: the API answered 200 with a wamid — which only means accepted (NOTES section 9.2).
 *   WhatsApp's `sent` status webhook maps here too;
 * - `delivered`, `read`: from status webhooks (`played`, for voice, counts as read);
 * - `failed`: the API refused it for good, retries ran out, or a `failed` status webhook came;
 * - `skipped`: the pipeline decided not to send it (see skip-reason.ts); nothing was sent.
 *
 * Webhooks are at-least-once and unordered (NOTES 3.3, 3.4), so a status only ever moves forward along
 *
 *     queued < sending < accepted < failed < delivered < read
 *
 * and anything else is ignored. The order decides the open cases:
 * - `read` before `delivered` stays `read` (WhatsApp may skip `delivered` when a message is read at once);
 * - `failed` after `accepted` (or `sending`) applies: delivery-time failures such as 131026 or 131049
 *   arrive as a `failed` webhook after the 200;
 * - `failed` after `delivered` or `read` is ignored: the recipient's phone has the message, and a status
 *   cannot take that back;
 * - `delivered` or `read` after `failed` applies, for the same reason: receipt is the stronger evidence
 *   (a retried send can leave two wamids, one failed and one delivered).
 * - `skipped` is reachable only before anything was sent (`queued`, `sending`) and is final.
 */
export const DELIVERY_STATUSES = ['queued', 'sending', 'accepted', 'delivered', 'read', 'failed', 'skipped'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

const RANK: Record<Exclude<DeliveryStatus, 'skipped'>, number> = {
  queued: 0,
  sending: 1,
  accepted: 2,
  failed: 3,
  delivered: 4,
  read: 5,
};

/** May a delivery in `from` move to `to`? False for the same state: a duplicate changes nothing. */
export function canAdvance(from: DeliveryStatus, to: DeliveryStatus): boolean {
  if (from === 'skipped') return false;
  if (to === 'skipped') return from === 'queued' || from === 'sending';
  return RANK[to] > RANK[from];
}

/** The status after `incoming` arrives: `incoming` if it moves forward, else `current` unchanged. */
export const mergeStatus = (current: DeliveryStatus, incoming: DeliveryStatus): DeliveryStatus =>
  canAdvance(current, incoming) ? incoming : current;

/** True once no further status can change the outcome for analysis purposes. */
export const isFinalStatus = (status: DeliveryStatus): boolean => status === 'read' || status === 'skipped';

/** WhatsApp's status webhook values (NOTES 3.4) and the delivery status each one means. */
export type WebhookMessageStatus = 'sent' | 'delivered' | 'read' | 'failed' | 'played';

export function statusFromWebhook(status: WebhookMessageStatus): DeliveryStatus {
  switch (status) {
    case 'sent': return 'accepted';
    case 'delivered': return 'delivered';
    case 'read': return 'read';
    case 'played': return 'read';
    case 'failed': return 'failed';
  }
}
