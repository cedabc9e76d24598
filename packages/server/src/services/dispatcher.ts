import {
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
import type { DeliveryRefs } from '../adapters/crypto';
import type { CapStore } from '../adapters/storage/cap-store';
import type { DeliveryRow, DeliveryStore } from '../adapters/storage/delivery-store';
import type { RunStore } from '../adapters/storage/run-store';
import type { TimerStore } from '../adapters/storage/timer-store';
import type { StoredProfile } from '../adapters/storage/profile-store';
import { wireName, type Queue } from '../adapters/queue/queue-port';
import type { CallbackEvents } from './callback-events';
import type { DeliveryUpdates } from './deliveries';
import { capsApply, consumeCapsBatch } from './dispatcher-caps';
import { dispatchJob } from './dispatcher-jobs';
import { inProcessPairGate, type PairGate } from './dispatcher-flow-control';
import { createPairAndTierStep } from './dispatcher-limits';
import { createSendStep, type Ready } from './dispatcher-send';
import type { ChannelGateway, EngineTask, EngineTaskSource, AudienceSource, SendContextOutcome } from './dispatcher-ports';
import type { Clock } from './ports';

export { MAX_SEND_ATTEMPTS, SEND_DEADLINE_MS } from './dispatcher-send';

/** A triggered message processed this long after the end time (it was due before it) is still sent. */
const END_GRACE_MS = 5 * 60_000;
/** Waits shorter than this are delayed queue jobs; longer ones are durable timers. */
const SHORT_WAIT_MS = 60_000;
/** The engine's send request timeout: WhatsApp can still accept a message until the request gives up. */
export const SEND_TIMEOUT_MS = 15_000;
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
  profiles: { getMany(ids: readonly string[]): Promise<Map<string, StoredProfile>> };
  settings: () => Promise<ProjectSettings>;
  updates: DeliveryUpdates;
  callbacks: CallbackEvents;
  clock: Clock;
  /** What `biz_opaque_callback_data` carries for a delivery (its id, sealed). */
  refs: DeliveryRefs;
  random?: () => number;
  /** Sends in flight at once in this process (all jobs together). */
  concurrency?: number;
  /** Recorded on the deliveries this process claims. */
  workerId?: string;
  /** Meta's pair rate; shared through Redis when workers share a number (default: this process's). */
  pairGate?: PairGate;
  /** Waits for the phone number's throughput (real time: the limiter counts real sends). */
  sleep?: (ms: number) => Promise<void>;
  onError?: (e: unknown, deliveryId: string) => void;
}

/** Per dispatch call: what every row of the batch shares, fetched once. */
interface BatchContext {
  settings: ProjectSettings;
  tasks: Map<string, EngineTask | undefined>;
  excluded: Set<string>;
  inbound: Map<string, number>;
  timezones: Map<string, string>;
  marketingHold: Set<string>;
  sendContexts: Map<string, Promise<SendContextOutcome>>;
  mediaIds: Map<string, Promise<Record<string, string>>>;
  /** Triggered tasks: the batch's profiles that are in the task's audience now. */
  inAudience: Map<string, Set<string>>;
  /** The profiles personalised content needs, read together for the rows through the caps. */
  profiles: Map<string, StoredProfile>;
}

/**
 * The pipeline of SPEC section 5 for a batch of due deliveries (a dispatch job: up to 200). Everything
 * the rows share is read once for the batch — tasks, exclusions, service windows, recipients'
 * timezones, marketing holds, the caps in one transaction — then each row goes through the steps in
 * order; a step that stops a message records why on the delivery (a conditional write on `queued`, so
 * a racing duplicate job changes nothing). Ready rows are claimed in chunks just before they are sent
 * (`queued → sending`, the exactly-once claim) and their acceptance is written per chunk.
 *
 * Exactly-once rule (also in README-ENGINE.md): a delivery goes back from `sending` to `queued` only
 * when the send provably did not reach WhatsApp — WhatsApp answered with an error body (any class
 * except those `classifyGraphError` marks `mayHaveSent`), or the failure happened before the request
 * left. After a timeout, a dropped connection or a 5xx the delivery stays `sending`; the reconciler
 * (scheduler.ts) resolves it from status webhooks carrying our delivery ID in
 * `biz_opaque_callback_data`, and sends again only when that window has passed with webhooks flowing
 * and none named it. A crash between the claim and the acceptance write leaves the same state, and is
 * resolved the same way.
 */
export function createDispatcher(deps: DispatcherDeps) {
  const { store, clock } = deps;
  const random = deps.random ?? Math.random;
  /** Re-dispatch later: a delayed job for short waits, a durable timer for long ones. */
  async function later(row: DeliveryRow, dueAt: number, taskId: string) {
    await store.postpone(row.id, dueAt, clock.now());
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

  /** wakeAt for many deliveries with their own due times: one enqueue and one timer write in all. */
  async function wakeMany(items: { id: string; dueAt: number; taskId: string | null }[]) {
    const now = clock.now();
    const short = items.filter((i) => i.dueAt - now <= SHORT_WAIT_MS);
    const long = items.filter((i) => i.dueAt - now > SHORT_WAIT_MS);
    if (short.length) await deps.queue.enqueue(dispatchJob, short.map((i) => ({ payload: { ids: [i.id] }, delayMs: Math.max(0, i.dueAt - now) })));
    if (long.length) await deps.timers.schedule(long.map((i) => ({ key: `d:${i.id}`, dueAt: i.dueAt, jobName: wireName(dispatchJob), payload: { ids: [i.id] }, taskId: i.taskId })), now);
  }
  const reservePairsAndTiers = createPairAndTierStep({ pairGate: deps.pairGate ?? inProcessPairGate(), store, caps: deps.caps, runs: deps.runs, wakeMany });
  const sendAll = createSendStep({ ...deps, random, wakeAt, fail });

  async function fail(row: DeliveryRow, from: DeliveryStatus, f: { reason: string | null; code: number | null; title: string | null }) {
    const now = clock.now();
    if (await store.fail(row.id, f, now)) {
      await deps.callbacks.emit(row, { kind: 'status', from, to: 'failed', at: now, ...(f.code !== null ? { errorCode: f.code } : {}) });
    }
  }

  /** Steps 1 to 5 (task, audience and exclusion, send ID, 24-hour window, do-not-disturb, 131049 hold). */
  async function precheck(row: DeliveryRow, b: BatchContext, now: number, skips: Map<SkipReason, string[]>): Promise<boolean> {
    const skip = (reason: SkipReason) => {
      skips.set(reason, [...(skips.get(reason) ?? []), row.id]);
      return false;
    };
    if (Number(row.due_at) > now) {
      await wakeAt([row.id], Number(row.due_at), row.task_id);
      return false;
    }
    // 1. the task is running and before its end time
    const task = b.tasks.get(row.task_id);
    if (!task) return skip('task_not_running');
    if (task.state === 'paused') {
      if (task.pauseMode === 'drop') return skip('paused_dropped');
      return false; // held: stays queued; the sweeper dispatches it again after resume
    }
    if (task.state !== 'running') return skip('task_not_running');
    const def = task.definition;
    if (isEventTrigger(def.trigger)) {
      const endAt = effectiveEndAt(def.trigger, b.settings.timezone).getTime();
      if (Number(row.due_at) > endAt) return skip('dropped_at_end_time');
      if (now > endAt + END_GRACE_MS) return skip('after_end_time');
      // 2. audience (as of now) — triggered tasks only; scheduled runs snapshot it at fan-out
      if (row.profile_id && !b.inAudience.get(task.id)?.has(row.profile_id)) return skip('not_in_audience');
    }
    if (row.profile_id && b.excluded.has(`${row.task_id}|${row.profile_id}`)) return skip('excluded');
    // 3. send ID
    if (!row.phone) return skip('no_send_id');
    if (!E164.test(row.phone)) return skip('invalid_phone');
    const content = def.delivery.content as MessageContent;
    // 4. the 24-hour service window, before any API call
    if (!isTemplateContent(content) && !serviceWindowOpen(b.inbound.get(row.phone) ?? null, now)) return skip('outside_service_window');
    // 5. do-not-disturb, in the recipient's timezone when known
    if (def.delivery.dnd) {
      const tz = row.profile_id ? (b.timezones.get(row.profile_id) ?? null) : null;
      const d = dndDecision({ dueAt: new Date(now), dnd: def.delivery.dnd, timezone: b.settings.timezone, recipientTimezone: tz });
      if (d.kind === 'drop') return skip('dnd_dropped');
      if (d.kind === 'defer') {
        await later(row, d.until.getTime(), row.task_id);
        return false;
      }
    }
    // WhatsApp declined a marketing message to this user (131049) within 24 hours: not yet again.
    if (isTemplateContent(content) && b.marketingHold.has(row.phone)) return skip('marketing_limit_24h');
    return true;
  }

  /** Steps 7 and 8 for a row through the caps: render, channel, pair rate (the tier is per batch). */
  async function prepare(row: DeliveryRow, b: BatchContext, now: number): Promise<Ready | null> {
    const task = b.tasks.get(row.task_id)!;
    const def = task.definition;
    const content = def.delivery.content as MessageContent;
    // 7. personalisation
    let profile: StoredProfile | undefined;
    if (contentNeedsProfile(content)) {
      profile = row.profile_id ? b.profiles.get(row.profile_id) : undefined;
      if (!profile) {
        await fail(row, 'queued', { reason: 'missing_profile_data', code: null, title: 'The recipient has no profile, and the content inserts attributes, tags or IDs' });
        return null;
      }
    }
    const channelId = def.delivery.channelId;
    const phoneNumberId = def.delivery.phoneNumberId;
    const scKey = `${channelId}|${phoneNumberId}`;
    if (!b.sendContexts.has(scKey)) b.sendContexts.set(scKey, deps.channels.sendContext(channelId, phoneNumberId));
    const sc = await b.sendContexts.get(scKey)!;
    if (sc.kind !== 'ready') {
      // A paused or missing channel holds the message; it is not the recipient's failure.
      await later(row, now + 5 * 60_000, row.task_id);
      return null;
    }
    if (!b.mediaIds.has(row.task_id)) {
      // A media upload problem is reported by the render step below (media_not_uploaded).
      b.mediaIds.set(row.task_id, deps.channels.mediaIds(channelId, phoneNumberId, content).catch(() => ({})));
    }
    const built = buildSendRequest(
      content,
      { ...(row.profile_id ? { oneId: row.profile_id } : {}), phone: row.phone!, attributes: profile?.attributes ?? {}, tags: profile?.tags ?? {} },
      { bizOpaqueCallbackData: deps.refs.toCallback(row.id), mediaIds: await b.mediaIds.get(row.task_id)! },
    );
    if (!built.ok) {
      await fail(row, 'queued', { reason: 'render_failed', code: null, title: built.error.reason });
      return null;
    }
    // 8. Meta's pair rate and the messaging tier are taken for the batch (`reservePairsAndTiers`);
    // throughput is the client's limiter.
    const pairKey = `${phoneNumberId}|${row.phone}`;
    // A user who wrote to us within 24 hours takes no tier slot.
    const tierLimit = sc.tierLimit !== null && !serviceWindowOpen(b.inbound.get(row.phone!) ?? null, now) ? sc.tierLimit : null;
    return { row, ctx: sc.ctx, body: built.value as unknown as Record<string, unknown>, channelId, pairKey, tierLimit };
  }


  /** The dispatch job's handler. */
  async function dispatch(ids: string[]): Promise<void> {
    const rows = (await store.load(ids)).filter((r) => r.state === 'queued');
    if (!rows.length) return;
    const now = clock.now();
    const b: BatchContext = {
      settings: await deps.settings(), tasks: new Map(), excluded: new Set(), inbound: new Map(), timezones: new Map(), marketingHold: new Set(),
      sendContexts: new Map(), mediaIds: new Map(), inAudience: new Map(), profiles: new Map(),
    };
    for (const r of rows) if (!b.tasks.has(r.task_id)) b.tasks.set(r.task_id, await deps.tasks.getTask(r.task_id));
    // Triggered tasks' audiences as of now: one look-up for the batch per audience segment (tasks that
    // share one, e.g. several triggers on one segment, share the answer), else per task.
    const groups = new Map<string, { task: EngineTask; taskIds: string[]; profiles: Set<string> }>();
    for (const [taskId, task] of b.tasks) {
      if (!task || !isEventTrigger(task.definition.trigger)) continue;
      const key = task.audienceSegmentId != null ? `segment:${task.audienceSegmentId}` : `task:${taskId}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { task, taskIds: [], profiles: new Set() }));
      g.taskIds.push(taskId);
      for (const r of rows) if (r.task_id === taskId && r.profile_id) g.profiles.add(r.profile_id);
    }
    for (const g of groups.values()) {
      if (!g.profiles.size) continue;
      const members = await deps.audience.inAudience(g.task, [...g.profiles]);
      for (const id of g.taskIds) b.inAudience.set(id, members);
    }
    // Exclusion, for the whole batch at once: profiles reached by the tasks this one excludes.
    for (const [taskId, task] of b.tasks) {
      const ex = task?.definition.audience.exclusion;
      if (!ex) continue;
      const profiles = rows.filter((r) => r.task_id === taskId && r.profile_id).map((r) => r.profile_id!);
      const since = ex.lookbackDays ? now - ex.lookbackDays * 86_400_000 : null;
      for (const p of await store.reachedBy(profiles, ex.taskIds, since)) b.excluded.add(`${taskId}|${p}`);
    }
    const phones = [...new Set(rows.map((r) => r.phone).filter((p): p is string => !!p))];
    const contents = [...b.tasks.values()].map((t) => t?.definition.delivery.content as MessageContent | undefined);
    // The 24-hour windows: free-form content needs them, and so does the messaging tier (a user who
    // wrote to us takes no tier slot).
    b.inbound = await deps.channels.lastInboundAtMany(phones);
    if ([...b.tasks.values()].some((t) => t?.definition.delivery.dnd)) b.timezones = await store.timezones([...new Set(rows.map((r) => r.profile_id).filter((p): p is string => !!p))]);
    if (contents.some((c) => c && isTemplateContent(c))) b.marketingHold = await store.marketingHolds(phones, now - MARKETING_LIMIT_HOLD_MS);

    // Steps 1–5, row by row; skips are written together.
    const skips = new Map<SkipReason, string[]>();
    const passed: DeliveryRow[] = [];
    for (const r of rows) {
      try {
        if (await precheck(r, b, now, skips)) passed.push(r);
      } catch (e) {
        deps.onError?.(e, r.id);
        throw e;
      }
    }
    for (const [reason, list] of skips) await store.skipMany(list, reason, now);

    // 6. caps, in priority order among each recipient's messages due together (one transaction).
    const taskInfo = async (taskId: string) => {
      const t = b.tasks.has(taskId) ? b.tasks.get(taskId) : await deps.tasks.getTask(taskId);
      return t ? { taskCap: t.definition.delivery.taskCap, globalLimit: t.definition.delivery.globalLimit } : undefined;
    };
    let through = passed;
    const infos = await Promise.all([...new Set(passed.map((r) => r.task_id))].map(taskInfo));
    if (passed.length && capsApply(b.settings, infos)) {
      const decisions = await consumeCapsBatch({ caps: deps.caps, store, taskInfo }, passed, b.settings, now);
      through = passed.filter((r) => decisions.get(r.id)?.granted === true);
    }

    // Steps 7–8, then claim and send in chunks. Personalised content reads its profiles in one go.
    const personal = through.filter((r) => r.profile_id && contentNeedsProfile(b.tasks.get(r.task_id)!.definition.delivery.content as MessageContent));
    if (personal.length) b.profiles = await deps.profiles.getMany(personal.map((r) => r.profile_id!));
    const ready: Ready[] = [];
    for (const r of through) {
      const x = await prepare(r, b, now);
      if (x) ready.push(x);
    }
    await sendAll(await reservePairsAndTiers(ready, now));
  }

  return { dispatch, wakeAt, wakeMany };
}
export type Dispatcher = ReturnType<typeof createDispatcher>;
