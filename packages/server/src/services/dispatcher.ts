import {
  backoffDelay,
  buildSendRequest,
  contentNeedsProfile,
  dndDecision,
  effectiveEndAt,
  isEventTrigger,
  isTemplateContent,
  MARKETING_LIMIT_HOLD_MS,
  serviceWindowOpen,
  type DeliveryStatus,
  type MessageContent,
  type ProjectSettings,
  type SkipReason,
} from '@wareach/core';
import type { CapStore } from '../adapters/storage/cap-store';
import type { DeliveryRow, DeliveryStore } from '../adapters/storage/delivery-store';
import type { RunStore } from '../adapters/storage/run-store';
import type { TimerStore } from '../adapters/storage/timer-store';
import type { StoredProfile } from '../adapters/storage/profile-store';
import { wireName, type Queue } from '../adapters/queue/queue-port';
import type { CallbackEvents } from './callback-events';
import type { DeliveryUpdates } from './deliveries';
import { consumeCaps } from './dispatcher-caps';
import { dispatchJob } from './dispatcher-jobs';
import type { ChannelGateway, EngineTask, EngineTaskSource, AudienceSource } from './dispatcher-ports';
import type { Clock } from './ports';

/** Meta's pair rate: about one message per 6 s to one user from one number (NOTES 5.1). */
export const PAIR_INTERVAL_MS = 6_000;
/** Sends of one delivery that WhatsApp refused with a retryable error, before it is failed. */
export const MAX_SEND_ATTEMPTS = 5;
/** A triggered message processed this long after the end time (it was due before it) is still sent. */
const END_GRACE_MS = 5 * 60_000;
/** Waits shorter than this are delayed queue jobs; longer ones are durable timers. */
const SHORT_WAIT_MS = 60_000;
const E164 = /^\+[1-9]\d{6,14}$/;

export interface DispatcherDeps {
  store: DeliveryStore;
  runs: RunStore;
  caps: CapStore;
  timers: TimerStore;
  queue: Queue;
  tasks: EngineTaskSource;
  audience: AudienceSource;
  channels: ChannelGateway;
  profiles: { get(id: string): Promise<StoredProfile | undefined> };
  settings: () => Promise<ProjectSettings>;
  updates: DeliveryUpdates;
  callbacks: CallbackEvents;
  clock: Clock;
  random?: () => number;
  concurrency?: number;
  /** Recorded on the deliveries this process claims. */
  workerId?: string;
  onError?: (e: unknown, deliveryId: string) => void;
}

/**
 * The pipeline of SPEC section 5 for a batch of due deliveries. Each step that stops a message
 * records why on the delivery (a conditional write on `queued`, so a racing duplicate job changes
 * nothing). The send itself is guarded by the exactly-once claim `queued → sending`.
 *
 * Exactly-once rule (also in README-ENGINE.md): a delivery goes back from `sending` to `queued` only
 * when the send provably did not reach WhatsApp — WhatsApp answered with an error body (any class
 * except those `classifyGraphError` marks `mayHaveSent`), or the failure happened before the request
 * left. After a timeout, a dropped connection or a 5xx the delivery stays `sending`; the reconciler
 * (scheduler.ts) resolves it from status webhooks carrying our delivery ID in
 * `biz_opaque_callback_data`, and sends again only when that window has passed with webhooks flowing
 * and none named it.
 */
export function createDispatcher(deps: DispatcherDeps) {
  const { store, clock } = deps;
  const random = deps.random ?? Math.random;
  const lastPairSend = new Map<string, number>();
  const concurrency = deps.concurrency ?? 32;

  /** Re-dispatch later: a delayed job for short waits, a durable timer for long ones. */
  async function later(row: DeliveryRow, dueAt: number, taskId: string) {
    const now = clock.now();
    await store.postpone(row.id, dueAt, now);
    await wakeAt([row.id], dueAt, taskId);
  }
  async function wakeAt(ids: string[], dueAt: number, taskId: string | null) {
    const now = clock.now();
    if (dueAt - now <= SHORT_WAIT_MS) {
      await deps.queue.enqueue(dispatchJob, [{ payload: { ids }, delayMs: Math.max(0, dueAt - now) }]);
    } else {
      await deps.timers.schedule(ids.map((id) => ({ key: `d:${id}`, dueAt, jobName: wireName(dispatchJob), payload: { ids: [id] }, taskId })), now);
    }
  }

  async function skip(row: DeliveryRow, reason: SkipReason) {
    await store.skip(row.id, reason, clock.now());
  }

  async function fail(row: DeliveryRow, from: DeliveryStatus, f: { reason: string | null; code: number | null; title: string | null }) {
    const now = clock.now();
    if (await store.fail(row.id, f, now)) {
      await deps.callbacks.emit(row, { kind: 'status', from, to: 'failed', at: now, ...(f.code !== null ? { errorCode: f.code } : {}) });
    }
  }

  async function processOne(row: DeliveryRow, task: EngineTask | undefined, ctx: { settings: ProjectSettings; excluded: Set<string> }) {
    const now = clock.now();
    if (row.state !== 'queued') return;
    if (Number(row.due_at) > now) return wakeAt([row.id], Number(row.due_at), row.task_id);
    // 1. the task is running and before its end time
    if (!task) return skip(row, 'task_not_running');
    if (task.state === 'paused') {
      if (task.pauseMode === 'drop') return skip(row, 'paused_dropped');
      return; // held: stays queued; the sweeper dispatches it again after resume
    }
    if (task.state !== 'running') return skip(row, 'task_not_running');
    const def = task.definition;
    if (isEventTrigger(def.trigger)) {
      const endAt = effectiveEndAt(def.trigger, ctx.settings.timezone).getTime();
      if (Number(row.due_at) > endAt) return skip(row, 'dropped_at_end_time');
      if (now > endAt + END_GRACE_MS) return skip(row, 'after_end_time');
      // 2. audience (as of now) — triggered tasks only; scheduled runs snapshot it at fan-out
      if (row.profile_id && !(await deps.audience.isInAudience(task, row.profile_id))) return skip(row, 'not_in_audience');
    }
    if (row.profile_id && ctx.excluded.has(`${row.task_id}|${row.profile_id}`)) return skip(row, 'excluded');
    // 3. send ID
    if (!row.phone) return skip(row, 'no_send_id');
    if (!E164.test(row.phone)) return skip(row, 'invalid_phone');
    const content = def.delivery.content as MessageContent;
    // 4. the 24-hour service window, before any API call
    const lastInbound = await deps.channels.lastInboundAt(row.phone);
    const windowOpen = serviceWindowOpen(lastInbound, now);
    if (!isTemplateContent(content) && !windowOpen) return skip(row, 'outside_service_window');
    // 5. do-not-disturb, in the recipient's timezone when known
    const profile = row.profile_id ? await deps.profiles.get(row.profile_id) : undefined;
    if (def.delivery.dnd) {
      const d = dndDecision({ dueAt: new Date(now), dnd: def.delivery.dnd, timezone: ctx.settings.timezone, recipientTimezone: profile?.timezone ?? null });
      if (d.kind === 'drop') return skip(row, 'dnd_dropped');
      if (d.kind === 'defer') return later(row, d.until.getTime(), row.task_id);
    }
    // WhatsApp declined a marketing message to this user (131049) within 24 hours: not yet again.
    if (isTemplateContent(content) && (await store.marketingHoldSince(row.phone, now - MARKETING_LIMIT_HOLD_MS))) return skip(row, 'marketing_limit_24h');
    // 6. caps, in priority order among the recipient's messages due together
    const caps = await consumeCaps(
      {
        caps: deps.caps,
        store,
        taskInfo: async (taskId) => {
          const t = taskId === task.id ? task : await deps.tasks.getTask(taskId);
          return t ? { taskCap: t.definition.delivery.taskCap, globalLimit: t.definition.delivery.globalLimit } : undefined;
        },
      },
      row,
      ctx.settings,
      now,
    );
    if (!caps.decision.granted) return;
    // 7. personalisation
    if (!profile && contentNeedsProfile(content)) {
      return fail(row, 'queued', { reason: 'missing_profile_data', code: null, title: 'The recipient has no profile, and the content inserts attributes, tags or IDs' });
    }
    const channelId = def.delivery.channelId;
    const sc = await deps.channels.sendContext(channelId, def.delivery.phoneNumberId);
    if (sc.kind !== 'ready') {
      // A paused or missing channel holds the message; it is not the recipient's failure.
      return later(row, now + 5 * 60_000, row.task_id);
    }
    let mediaIds: Record<string, string> = {};
    try {
      mediaIds = await deps.channels.mediaIds(channelId, def.delivery.phoneNumberId, content);
    } catch {
      // A media upload problem is reported by the render step below (media_not_uploaded).
    }
    const built = buildSendRequest(
      content,
      { ...(profile ? { oneId: profile.id } : {}), phone: row.phone, attributes: profile?.attributes ?? {}, tags: profile?.tags ?? {} },
      { bizOpaqueCallbackData: row.id, mediaIds },
    );
    if (!built.ok) return fail(row, 'queued', { reason: 'render_failed', code: null, title: built.error.reason });
    // 8. Meta's pair rate (per number and recipient) and the messaging tier; throughput is the client's limiter
    const pairKey = `${def.delivery.phoneNumberId}|${row.phone}`;
    const lastPair = lastPairSend.get(pairKey);
    if (lastPair !== undefined && now - lastPair < PAIR_INTERVAL_MS) return later(row, lastPair + PAIR_INTERVAL_MS, row.task_id);
    if (sc.tierLimit !== null && !windowOpen) {
      const slot = await deps.caps.reserveTier(channelId, row.phone, sc.tierLimit, now);
      if (!slot.ok) {
        await deps.runs.addPaced(row.run_id, 1);
        return later(row, slot.freeAt, row.task_id);
      }
    }
    // 9. the exactly-once claim, then the send
    if (!(await store.claim(row.id, now, deps.workerId ?? null))) return;
    lastPairSend.set(pairKey, now);
    const outcome = await deps.channels.send(sc.ctx, built.value as unknown as Record<string, unknown>);
    const after = clock.now();
    if (outcome.kind === 'accepted') {
      if (await store.accept(row.id, outcome.wamid, after)) {
        const accepted = { ...row, state: 'accepted', wamid: outcome.wamid, accepted_at: after } as DeliveryRow;
        await deps.callbacks.emit(accepted, { kind: 'status', from: 'sending', to: 'accepted', at: after });
        await deps.updates.applyPending(accepted);
      } else {
        // A status webhook got there first (it carried our ID): it already moved the delivery on.
        const current = await store.get(row.id);
        if (current && current.wamid === null) await store.applyStatus(current, 'accepted', after, null, outcome.wamid, after);
      }
      return;
    }
    const c = outcome.classification;
    const error = { code: outcome.code, title: outcome.title };
    if (c.retryable) {
      if (c.mayHaveSent) return; // stays `sending`: the reconciler decides (see the rule above)
      const attempts = Number(row.attempts) + 1;
      if (attempts >= MAX_SEND_ATTEMPTS) return fail(row, 'sending', { reason: null, ...error });
      const wait = outcome.retryAfterMs ?? backoffDelay(attempts, c.backoff ?? { baseMs: 2_000, maxMs: 300_000 }, random);
      await store.release(row.id, after + wait, after, error);
      return wakeAt([row.id], after + wait, row.task_id);
    }
    if (c.kind === 'token') {
      // The message may go once the token is fixed: hold it, stop the channel.
      await deps.channels.pauseChannel(channelId, `WhatsApp refused the access token (${outcome.code ?? 'no code'}: ${outcome.title})`);
      await store.release(row.id, after + 5 * 60_000, after, error);
      return wakeAt([row.id], after + 5 * 60_000, row.task_id);
    }
    if (c.kind === 'blocked') await deps.channels.pauseChannel(channelId, `WhatsApp restricted the account (${outcome.code}: ${outcome.title})`);
    return fail(row, 'sending', { reason: null, ...error });
  }

  /** The dispatch job's handler. */
  async function dispatch(ids: string[]): Promise<void> {
    const rows = (await store.load(ids)).filter((r) => r.state === 'queued');
    if (!rows.length) return;
    const settings = await deps.settings();
    const tasks = new Map<string, EngineTask | undefined>();
    for (const r of rows) if (!tasks.has(r.task_id)) tasks.set(r.task_id, await deps.tasks.getTask(r.task_id));
    // Exclusion, for the whole batch at once: profiles reached by the tasks this one excludes.
    const excluded = new Set<string>();
    for (const [taskId, task] of tasks) {
      const ex = task?.definition.audience.exclusion;
      if (!ex) continue;
      const profiles = rows.filter((r) => r.task_id === taskId && r.profile_id).map((r) => r.profile_id!);
      const since = ex.lookbackDays ? clock.now() - ex.lookbackDays * 86_400_000 : null;
      for (const p of await store.reachedBy(profiles, ex.taskIds, since)) excluded.add(`${taskId}|${p}`);
    }
    let next = 0;
    const worker = async () => {
      while (next < rows.length) {
        const row = rows[next++]!;
        try {
          await processOne(row, tasks.get(row.task_id), { settings, excluded });
        } catch (e) {
          deps.onError?.(e, row.id);
          throw e;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, rows.length) }, worker));
  }

  return { dispatch, wakeAt };
}
export type Dispatcher = ReturnType<typeof createDispatcher>;
