import { canAdvance, type DeliveryStatus } from './delivery-status';

/**
 * Callback events (SPEC section 7): every delivery change and every reply or button click is also an
 * event of the recipient, so that rules can use it ("did wareach.message.read in the last 7 days"), a
 * triggered task can start from it, and analysis can count it.
 *
 * Names (stable; usable wherever an event name is):
 *   wareach.message.sent       WhatsApp accepted the message (API 200 with a wamid, or a `sent` webhook)
 *   wareach.message.delivered  it reached the phone
 *   wareach.message.read       the recipient read it (or played it, for voice)
 *   wareach.message.failed     it failed for good (`errorCode` when WhatsApp gave one)
 *   wareach.message.replied    the recipient wrote back in reply to it
 *   wareach.message.clicked    the recipient tapped one of its buttons or list rows (`button`)
 *
 * Properties, all filterable with property filters: `taskKind`, `taskId`, `runId`, `deliveryId`,
 * `metric` (the name's last part), and `button` / `buttonId` / `errorCode` where they apply.
 *
 * A status that skips steps implies them: `read` straight after `accepted` also yields `delivered`
 * (WhatsApp may not send `delivered` when a message is read at once). Each event carries a deterministic
 * `id` — `<deliveryId>:<metric>`, plus the inbound message ID for replies and clicks — to be stored as the
 * event's message ID: ingestion is idempotent on it, so a duplicate webhook, a replayed job, or an
 * implied event that was already recorded is written once. Test sends produce no callback events.
 */
export const CALLBACK_METRICS = ['sent', 'delivered', 'read', 'failed', 'replied', 'clicked'] as const;
export type CallbackMetric = (typeof CALLBACK_METRICS)[number];

export const CALLBACK_EVENT_PREFIX = 'wareach.message.';
export const callbackEventName = (metric: CallbackMetric): string => `${CALLBACK_EVENT_PREFIX}${metric}`;
export const CALLBACK_EVENT_NAMES: readonly string[] = CALLBACK_METRICS.map(callbackEventName);

/** The metric of a callback event name, or null for any other event. */
export function callbackMetricOf(name: string): CallbackMetric | null {
  if (!name.startsWith(CALLBACK_EVENT_PREFIX)) return null;
  const metric = name.slice(CALLBACK_EVENT_PREFIX.length);
  return (CALLBACK_METRICS as readonly string[]).includes(metric) ? (metric as CallbackMetric) : null;
}

/** The delivery a change belongs to. `taskKind` is the task's trigger type (scheduled_once, …). */
export interface CallbackDelivery {
  oneId: string;
  deliveryId: string;
  taskKind: string;
  taskId: string;
  runId: string;
}

export type DeliveryChange =
  | { kind: 'status'; delivery: CallbackDelivery; from: DeliveryStatus; to: DeliveryStatus; at: number; errorCode?: number }
  | { kind: 'reply'; delivery: CallbackDelivery; at: number; inboundMessageId: string }
  | { kind: 'click'; delivery: CallbackDelivery; at: number; inboundMessageId: string; button: string; buttonId?: string };

export interface CallbackEventProperties {
  taskKind: string;
  taskId: string;
  runId: string;
  deliveryId: string;
  metric: CallbackMetric;
  button?: string;
  buttonId?: string;
  errorCode?: number;
}

export interface CallbackEvent {
  /** Idempotency key; store it as the event's message ID. */
  id: string;
  oneId: string;
  name: string;
  at: number;
  properties: CallbackEventProperties;
}

/** The metrics a status stands for, including those it implies. */
function metricsOf(status: DeliveryStatus): CallbackMetric[] {
  switch (status) {
    case 'accepted': return ['sent'];
    case 'delivered': return ['sent', 'delivered'];
    case 'read': return ['sent', 'delivered', 'read'];
    case 'failed': return ['failed'];
    case 'queued':
    case 'sending':
    case 'skipped':
      return [];
  }
}

/**
 * The callback events one change produces, in order. A status change that does not move the delivery
 * forward (a duplicate or out-of-order webhook) produces none.
 */
export function callbackEventFor(change: DeliveryChange): CallbackEvent[] {
  const d = change.delivery;
  const base = { taskKind: d.taskKind, taskId: d.taskId, runId: d.runId, deliveryId: d.deliveryId };
  const event = (metric: CallbackMetric, idSuffix: string, extra: Partial<CallbackEventProperties> = {}): CallbackEvent => ({
    id: `${d.deliveryId}:${metric}${idSuffix}`,
    oneId: d.oneId,
    name: callbackEventName(metric),
    at: change.at,
    properties: { ...base, metric, ...extra },
  });

  switch (change.kind) {
    case 'status': {
      if (!canAdvance(change.from, change.to)) return [];
      const before = new Set(metricsOf(change.from));
      return metricsOf(change.to)
        .filter((m) => !before.has(m))
        .map((m) => event(m, '', m === 'failed' && change.errorCode !== undefined ? { errorCode: change.errorCode } : {}));
    }
    case 'reply':
      return [event('replied', `:${change.inboundMessageId}`)];
    case 'click':
      return [event('clicked', `:${change.inboundMessageId}`, { button: change.button, ...(change.buttonId !== undefined ? { buttonId: change.buttonId } : {}) })];
  }
}
