import { hostname } from 'node:os';
import type { MessageContent } from '@wareach/core';
import { createWebhookEvidenceStore } from '../adapters/storage/webhook-evidence-store';
import { createCloudApiClient, type SendOutcome } from '../adapters/whatsapp/cloud-api-client';
import type { DeliveryInbound, DeliveryStatusUpdate } from '../services/deliveries';
import { SEND_TIMEOUT_MS } from '../services/dispatcher';
import type { ChannelGateway, SendContextOutcome } from '../services/dispatcher-ports';
import { AppError } from '../services/errors';
import { engineAudienceSource, engineTaskSource } from '../services/tasks-engine';
import type { WebhookInbound, WebhookSink, WebhookStatus } from '../services/webhook-sinks';
import { createEngine, type Engine, type EngineOptions } from '../worker/engine';
import type { Container } from './container';

/** Unique users per rolling 24 h of each messaging tier (NOTES 5.2); null: no limit. */
export const TIER_LIMITS: Record<string, number | null> = {
  TIER_250: 250,
  TIER_1K: 1_000,
  TIER_2K: 2_000,
  TIER_10K: 10_000,
  TIER_100K: 100_000,
  TIER_UNLIMITED: null,
};

/** Connection failures that happen before a byte of the request is written: nothing can have been sent. */
const NOT_SENT_TRANSPORT = /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|UND_ERR_CONNECT_TIMEOUT)\b/;

/**
 * The engine's sends, through a client of its own that never retries by itself: after a timeout, a
 * dropped connection or a 5xx, WhatsApp may have accepted the message (`POST /messages` has no
 * idempotency key), so a blind retry could deliver it twice. The outcome goes back to the dispatcher,
 * which leaves the delivery `sending` for the reconciler, or — for failures that provably sent nothing
 * (an error body, a throttle, a refused connection) — queues it again with backoff.
 */
export function engineSendClient(c: Container) {
  // No limiter in the client: the dispatcher waits for the throughput slot before it claims the
  // delivery, so a claim is never held through a long wait (see SEND_DEADLINE_MS).
  // As many connections as the worker's concurrency: the requests in flight at once.
  const client = createCloudApiClient({ retry: { maxAttempts: 1 }, timeoutMs: SEND_TIMEOUT_MS, thread: true, connections: c.config.workerConcurrency });
  return {
    async send(ctx: Parameters<typeof client.sendMessage>[0], body: Record<string, unknown>, leaveWithinMs?: number): Promise<SendOutcome> {
      const out = await client.sendMessage(ctx, body, leaveWithinMs !== undefined ? { leaveWithinMs } : {});
      if (out.kind === 'failed' && out.httpStatus === null && out.classification.mayHaveSent && NOT_SENT_TRANSPORT.test(out.message)) {
        const { mayHaveSent: _ignored, ...classification } = out.classification;
        return { ...out, classification };
      }
      return out;
    },
    close: () => client.close(),
  };
}

/** The engine's channel port over the channel, media and service-window parts of the container. */
export function engineChannelGateway(c: Container, send: ReturnType<typeof engineSendClient>): ChannelGateway {
  return {
    async sendContext(channelId, phoneNumberId): Promise<SendContextOutcome> {
      try {
        const ctx = await c.channels.getSendContext(channelId, phoneNumberId);
        if (ctx.status === 'paused') return { kind: 'paused', reason: ctx.pausedReason ?? 'the channel is paused' };
        return { kind: 'ready', ctx, tierLimit: TIER_LIMITS[ctx.tier] ?? null };
      } catch (e) {
        if (e instanceof AppError) return { kind: 'missing', reason: e.message };
        throw e;
      }
    },
    throughputWait: async (ctx) => ((ctx.throughput ?? 0) > 0 ? c.rateLimiter.reserve(ctx.phoneNumberId, { perSecond: ctx.throughput! }) : 0),
    send: (ctx, body, leaveWithinMs) => send.send(ctx, body, leaveWithinMs),
    async pauseChannel(channelId, reason) {
      await c.channels.pauseChannel(channelId, reason);
    },
    async mediaIds(channelId, phoneNumberId, content: MessageContent) {
      const r = await c.media.resolveContentMedia(content, channelId, phoneNumberId);
      // A file that cannot be uploaded leaves its id unresolved: rendering then fails the delivery
      // with `media_not_uploaded` and the reason, which is where an operator looks.
      return r.ok ? r.value : {};
    },
    lastInboundAtMany: (phones) => c.serviceWindows.lastInboundAtMany(phones),
  };
}

/** A webhook status as the delivery tracker reads it. */
export function toDeliveryStatus(s: WebhookStatus): DeliveryStatusUpdate {
  const e = s.errors[0];
  return {
    wamid: s.wamid,
    status: s.status,
    at: s.at,
    ...(s.bizOpaqueCallbackData !== undefined ? { bizOpaqueCallbackData: s.bizOpaqueCallbackData } : {}),
    ...(e ? { error: { code: e.code, title: e.title } } : {}),
  };
}

/** An inbound message as the delivery tracker reads it: a button or list-row tap is a click, else a reply. */
export function toDeliveryInbound(m: WebhookInbound): DeliveryInbound {
  const button = m.buttonTitle !== undefined || m.buttonId !== undefined
    ? { id: m.buttonId, title: m.buttonTitle ?? m.buttonId ?? '' }
    : m.listRowTitle !== undefined || m.listRowId !== undefined
      ? { id: m.listRowId, title: m.listRowTitle ?? m.listRowId ?? '' }
      : undefined;
  return { wamid: m.wamid, from: m.fromWaId, at: m.at, ...(m.contextWamid !== undefined ? { contextWamid: m.contextWamid } : {}), ...(button ? { button } : {}) };
}

export interface WiredEngine {
  engine: Engine;
  /** Runs the worker: queue consumers, the timer poller, the scheduler loop. */
  start(): void;
  /** Stops the worker (if started) and closes the queue and the engine's HTTP client. */
  close(): Promise<void>;
}

/**
 * Builds the execution engine over the real services: task and audience ports from the task area,
 * the channel gateway over channels/media/service windows, the webhook sink (statuses and replies
 * mapped from the drain's shape), trigger-index invalidation on every task change, and the
 * reconciler's evidence read from the webhook inbox. Creating it registers the trigger listener and
 * the webhook sink — API processes need both; only `start()` makes the process a worker.
 */
export function wireEngine(c: Container, opts: EngineOptions = {}): WiredEngine {
  const send = engineSendClient(c);
  const evidence = createWebhookEvidenceStore(c.db);
  const tasks = engineTaskSource(c.tasks);
  const audience = engineAudienceSource({ tasks: c.tasks, audience: c.audience, segments: c.segments, segmentStore: c.segmentStore, clock: c.clock });
  const engine = createEngine(c, { tasks, audience, channels: engineChannelGateway(c, send) }, {
    reconcileWindowMs: c.config.reconcileWindowMs,
    statusEvidence: () => evidence.settledThrough(),
    workerId: `${hostname()}:${process.pid}`,
    ...opts,
  });
  const sink: WebhookSink = {
    onStatuses: (s) => engine.updates.onStatuses(s.map(toDeliveryStatus)),
    onInbound: (m) => engine.updates.onInbound(m.map(toDeliveryInbound)),
  };
  c.webhookSinks.push(sink);
  c.taskChangeListeners.push((taskId) => engine.invalidateTasks(taskId));
  let started = false;
  return {
    engine,
    start() {
      started = true;
      engine.start();
    },
    async close() {
      if (started) await engine.stop();
      await engine.close();
      await send.close();
    },
  };
}
