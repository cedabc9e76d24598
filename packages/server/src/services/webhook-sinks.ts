/**
 * What the webhook drain hands on: every status and every inbound message of every processed payload,
 * in order of arrival, to every sink in `container.webhookSinks` (the engine's delivery tracker, test
 * sends, ...). Delivery is at-least-once: a payload retried after a failure, or re-posted by Meta, reaches
 * the sinks again, and statuses may come out of order — a sink keeps its state monotonic and idempotent.
 */
export interface WebhookStatus {
  channelId: string;
  phoneNumberId: string;
  wamid: string;
  recipientWaId: string;
  /** `played` (voice) is reported as `read`. */
  status: 'sent' | 'delivered' | 'read' | 'failed';
  /** Epoch ms (Meta's timestamp is in seconds). */
  at: number;
  errors: { code: number; title: string; message?: string; details?: string }[];
  /** Our delivery id for task sends, `test-send:<id>` for test sends. */
  bizOpaqueCallbackData?: string;
  pricingCategory?: string;
}

export interface WebhookInbound {
  channelId: string;
  phoneNumberId: string;
  wamid: string;
  fromWaId: string;
  /** The profile found (or created) by the WhatsApp identity `+<fromWaId>`. */
  profileId: string;
  at: number;
  /** text | button | button_reply | list_reply | image | video | document | audio | sticker | location | reaction | ... */
  type: string;
  text?: string;
  buttonId?: string;
  buttonTitle?: string;
  listRowId?: string;
  listRowTitle?: string;
  /** The wamid of our message this one answers (a tap on a button or list row, or a quoted reply). */
  contextWamid?: string;
}

export interface WebhookSink {
  onStatuses(s: WebhookStatus[]): Promise<void>;
  onInbound(m: WebhookInbound[]): Promise<void>;
}
