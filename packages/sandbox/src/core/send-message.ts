/**
 * `POST /{phone-number-id}/messages`: authenticate, validate, apply the configured faults in the order Meta
 * would meet them, accept with a wamid, and schedule the status webhooks. Request-time refusals (validation,
 * templates, 130429, 131056, 5xx) are synchronous HTTP errors; delivery-time ones (131026, 131047, 131049,
 * 131053) come back as a `failed` status webhook after a 200, unless `faults.syncDeliveryErrors` is set
 * (NOTES 4, 9.2).
 */
import { fail, graphErrorBody, httpStatusOf, type MetaErrorCode, type MetaFailure } from '../graph/graph-error';
import { recipientWaId } from '../graph/recipient-number';
import { validateSendRequest, type SendRequest } from '../graph/validate-message';
import type { Conversation, LogEntry } from '../log/message-log';
import { checkTemplateSend } from '../templates/check-template-send';
import { checkToken, delay, unknownObject, type GraphReply, type SandboxContext, type StatusEvent } from './sandbox-context';

export interface SendInput {
  phoneNumberId: string;
  graphVersion: number;
  token: string | undefined;
  body: unknown;
}

export function refusal(ctx: SandboxContext, failure: MetaFailure): GraphReply {
  return { status: httpStatusOf(failure.code), body: graphErrorBody(failure, ctx.ids.fbtraceId()) };
}

function takeToken(bucket: { tokens: number; at: number }, now: number, capacity: number, perMs: number): boolean {
  bucket.tokens = Math.min(capacity, bucket.tokens + (now - bucket.at) * perMs);
  bucket.at = now;
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}

function windowOpen(ctx: SandboxContext, conv: Conversation | undefined, now: number): boolean {
  return conv !== undefined && conv.lastInboundAt >= 0 && now - conv.lastInboundAt < ctx.config.faults.windowMs;
}

/** The delivery-time failure this message meets, if any. Draws random numbers in a fixed order (seeded runs replay). */
function deliveryFailure(
  ctx: SandboxContext,
  msg: Extract<SendRequest, { kind: 'message' }>,
  waId: string,
  conv: Conversation | undefined,
  category: string,
  now: number,
  mediaMismatch: string | undefined,
): { code: MetaErrorCode; details: string } | undefined {
  const f = ctx.config.faults;
  if (ctx.unreachable.has(waId) || ctx.random.chance(f.unreachable.ratio)) {
    return { code: 131026, details: 'Message Undeliverable.' };
  }
  const open = windowOpen(ctx, conv, now);
  if (msg.type !== 'template' && f.enforceWindow && !open) {
    return { code: 131047, details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.' };
  }
  if (category === 'marketing') {
    const m = f.marketingLimit;
    if (ctx.marketingBlocked.has(waId) || (m.blockUsNumbers && waId.startsWith('1')) || ctx.random.chance(m.ratio)) {
      return { code: 131049, details: 'In order to maintain a healthy ecosystem engagement, the message failed to be delivered.' };
    }
    if (m.maxPerUserPer24h > 0 && !open && conv) {
      const limits = (conv.limits ??= { pairTokens: f.pairLimit.burst, pairAt: now, marketing: [] });
      limits.marketing = limits.marketing.filter((t) => now - t < 24 * 3600_000);
      if (limits.marketing.length >= m.maxPerUserPer24h) {
        return { code: 131049, details: 'In order to maintain a healthy ecosystem engagement, the message failed to be delivered.' };
      }
      limits.marketing.push(now);
    }
  }
  if (mediaMismatch) return { code: 131053, details: mediaMismatch };
  return undefined;
}

/** Queues the first status of an accepted message; the sandbox's release handler walks the later stages. */
function scheduleStatuses(ctx: SandboxContext, event: StatusEvent, failure: { code: MetaErrorCode; details: string } | undefined): void {
  const f = ctx.config.faults;
  if (failure) {
    event.stage = 'failed';
    event.error = failure;
  } else if (ctx.random.chance(f.deliveredRatio)) {
    event.remaining = ctx.random.chance(f.readRatio) ? 2 : 1;
  }
  ctx.statuses.push(event.acceptedAt + f.statusDelays.sentMs, event);
}

/** Moves a released event to its next stage and re-queues it; false when the message has no more statuses. */
export function advanceStatus(ctx: SandboxContext, event: StatusEvent): boolean {
  if (event.remaining === 0 || event.stage === 'failed' || event.stage === 'read') return false;
  const d = ctx.config.faults.statusDelays;
  if (event.stage === 'sent') {
    event.stage = 'delivered';
    ctx.statuses.push(event.acceptedAt + Math.max(d.sentMs, d.deliveredMs), event);
  } else {
    event.stage = 'read';
    ctx.statuses.push(event.acceptedAt + Math.max(d.sentMs, d.deliveredMs, d.readMs), event);
  }
  event.remaining -= 1;
  return true;
}

export function sendMessage(ctx: SandboxContext, input: SendInput): GraphReply | Promise<GraphReply> {
  const latency = ctx.config.faults.latency;
  if (latency.fixedMs > 0 || latency.jitterMs > 0) {
    return delay(ctx, latency.fixedMs + ctx.random.next() * latency.jitterMs).then(() => handleSend(ctx, input));
  }
  return handleSend(ctx, input);
}

function handleSend(ctx: SandboxContext, input: SendInput): GraphReply {

  const phone = ctx.accounts.phone(input.phoneNumberId);
  const auth = checkToken(ctx, input.token, phone ? { wabaId: phone.waba.id, id: input.phoneNumberId, method: 'post' } : undefined);
  if (!auth.ok) return refusal(ctx, auth.failure);
  if (!phone) return refusal(ctx, unknownObject(input.phoneNumberId, 'post'));
  const f = ctx.config.faults;
  if (ctx.random.chance(f.serverErrorRatio)) {
    ctx.log.recordRejected(131000);
    return refusal(ctx, fail(131000, 'Something went wrong. Please retry later.'));
  }

  const validated = validateSendRequest(input.body);
  if (!validated.ok) {
    ctx.log.recordRejected(validated.failure.code);
    return refusal(ctx, validated.failure);
  }
  const msg = validated.value;
  if (msg.kind === 'mark_read') return { status: 200, body: '{"success":true}' };

  const waId = recipientWaId(msg.to, phone.digits, ctx.config.numberNormalization);
  if (waId === undefined) {
    ctx.log.recordRejected(100);
    return refusal(ctx, fail(100, `Invalid parameter 'to': ${msg.to} is not a phone number.`));
  }

  let mediaMismatch: string | undefined;
  for (const { kind, ref } of msg.media) {
    if (ref.id === undefined) continue;
    const stored = ctx.media.get(ref.id);
    if (!stored) {
      ctx.log.recordRejected(131009);
      return refusal(ctx, fail(131009, `Media id ${ref.id} was not found. Upload it with POST /{phone-number-id}/media first.`));
    }
    // Any uploaded file may go out as a document; otherwise the upload's kind must match the message's.
    const compatible = stored.kind === kind || kind === 'document';
    if (!compatible && mediaMismatch === undefined) mediaMismatch = `Media ${ref.id} of type ${stored.mimeType} cannot be sent as ${kind}.`;
  }

  let category = 'service';
  if (msg.template) {
    const checked = checkTemplateSend(msg.template, ctx.templates.find(phone.waba.id, msg.template.name, msg.template.languageCode));
    if (!checked.ok) {
      ctx.log.recordRejected(checked.failure.code);
      return refusal(ctx, checked.failure);
    }
    category = checked.value.category;
  }

  const now = ctx.now();
  const limit = phone.config.throughputPerSecond ?? f.throughputPerSecond;
  if (limit > 0) {
    let bucket = ctx.throughput.get(phone.config.id);
    if (!bucket) {
      bucket = { tokens: limit, at: now };
      ctx.throughput.set(phone.config.id, bucket);
    }
    if (!takeToken(bucket, now, limit, limit / 1000)) {
      ctx.log.recordRejected(130429);
      return refusal(ctx, fail(130429, `Cloud API message throughput (${limit} messages per second) has been reached.`));
    }
  }
  let conv = ctx.log.conversation(phone.config.id, waId);
  if (f.pairLimit.enabled) {
    conv ??= ctx.log.conversation(phone.config.id, waId, true);
    const limits = (conv.limits ??= { pairTokens: f.pairLimit.burst, pairAt: now, marketing: [] });
    const bucket = { tokens: limits.pairTokens, at: limits.pairAt };
    const allowed = takeToken(bucket, now, f.pairLimit.burst, f.pairLimit.intervalMs > 0 ? 1 / f.pairLimit.intervalMs : Infinity);
    limits.pairTokens = bucket.tokens;
    limits.pairAt = bucket.at;
    if (!allowed) {
      ctx.log.recordRejected(131056);
      return refusal(ctx, fail(131056, 'Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.'));
    }
  }

  if (category === 'marketing' && f.marketingLimit.maxPerUserPer24h > 0) conv ??= ctx.log.conversation(phone.config.id, waId, true);
  const failure = deliveryFailure(ctx, msg, waId, conv, category, now, mediaMismatch);
  if (failure && f.syncDeliveryErrors) {
    ctx.log.recordRejected(failure.code);
    return refusal(ctx, fail(failure.code, failure.details));
  }

  conv ??= ctx.log.conversation(phone.config.id, waId, true);
  const wamid = ctx.ids.outboundWamid(waId);
  const payload = msg.payload;
  const entry: LogEntry = {
    seq: 0,
    wamid,
    direction: 'outbound',
    phoneNumberId: phone.config.id,
    waId,
    type: msg.type,
    at: now,
    payload,
    status: 'accepted',
    bizOpaqueCallbackData: msg.bizOpaque,
    category: msg.template ? category : undefined,
    contextId: msg.contextId,
    statusAt: undefined,
    error: undefined,
    clicks: undefined,
    evicted: false,
  };
  ctx.log.recordOutbound(conv, entry, msg.type + JSON.stringify(payload[msg.type]));
  const open = windowOpen(ctx, conv, now);
  scheduleStatuses(
    ctx,
    {
      wamid,
      phoneNumberId: phone.config.id,
      recipientId: waId,
      bizOpaque: msg.bizOpaque,
      category,
      free: category === 'service' || (category === 'utility' && open),
      graphVersion: input.graphVersion,
      seq: entry.seq,
      acceptedAt: now,
      stage: 'sent',
      remaining: 0,
      error: undefined,
    },
    failure,
  );
  const status = msg.template ? ',"message_status":"accepted"' : '';
  return {
    status: 200,
    body: `{"messaging_product":"whatsapp","contacts":[{"input":${JSON.stringify(msg.to)},"wa_id":"${waId}"}],"messages":[{"id":"${wamid}"${status}}]}`,
  };
}
