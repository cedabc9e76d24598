import {
  approvalTimeoutDecision,
  effectiveEndAt,
  isEventTrigger,
  nextOccurrences,
  occurrenceId,
  segmentRefreshAt,
  type ProjectSettings,
} from '@wareach/core';
import type { CapStore } from '../adapters/storage/cap-store';
import type { DeliveryStore } from '../adapters/storage/delivery-store';
import type { RunStore } from '../adapters/storage/run-store';
import type { TimerStore } from '../adapters/storage/timer-store';
import type { TriggerStore } from '../adapters/storage/trigger-store';
import type { JobDefinition, Queue } from '../adapters/queue/queue-port';
import { SEND_DEADLINE_MS, SEND_TIMEOUT_MS } from './dispatcher';
import { DISPATCH_BATCH, dispatchJob, fanoutJob } from './dispatcher-jobs';
import type { AudienceSource, EngineTask, EngineTaskSource } from './dispatcher-ports';
import type { Clock } from './ports';

/** A recurring occurrence missed by more than this (the workers were down) is recorded, not sent late. */
export const MISSED_OCCURRENCE_GRACE_MS = 60 * 60_000;
/**
 * Reconciliation window of the exactly-once rule: a delivery `sending` for longer than this, with
 * status webhooks received since it was claimed plus this window and none naming it, was not accepted.
 */
export const RECONCILE_WINDOW_MS = 10 * 60_000;
/** After this long without any evidence either way the outcome is unknowable; the delivery fails. */
export const RECONCILE_GIVE_UP_MS = 7 * 24 * 3_600_000;
export const LAST_STATUS_KEY = 'last_status_seen_at';
/** A queued, due delivery untouched this long is dispatched again even while dispatch jobs are pending. */
export const SWEEP_IDLE_MS = 10 * 60_000;
/** A run still pending this long after its creation has its fan-out handed over again. */
export const REDRIVE_AFTER_MS = 60_000;

export interface SchedulerDeps {
  tasks: EngineTaskSource;
  audience: AudienceSource;
  store: DeliveryStore;
  runs: RunStore;
  caps: CapStore;
  timers: TimerStore;
  triggers: TriggerStore;
  queue: Queue;
  clock: Clock;
  settings: () => Promise<ProjectSettings>;
  reconcileWindowMs?: number;
  /** Every status webhook received up to the returned time has been applied (see reconcile). */
  statusEvidence?: () => Promise<number>;
  onError?: (e: unknown, taskId: string | null) => void;
}

/**
 * The scheduler: one `tick(now)` does everything time-driven — approval timeouts and the 72-hour
 * cancel, starting scheduled-once and recurring runs at their occurrences (run ID = core
 * `occurrenceId`, so two schedulers create one run), segment refresh at the lead time with the
 * failure policy, end times (waits dropped with `dropped_at_end_time`), run completion, the sweep of
 * queued deliveries whose job was lost, and the reconciliation of deliveries stuck in `sending`.
 * Safe to run in several workers at once: every effect is a conditional write or a keyed enqueue.
 */
export function createScheduler(deps: SchedulerDeps) {
  const { clock } = deps;
  const window = deps.reconcileWindowMs ?? RECONCILE_WINDOW_MS;

  async function startRun(task: EngineTask, occurrence: number, now: number, late: boolean) {
    const runId = occurrenceId(task.id, new Date(occurrence));
    if (late) {
      await deps.runs.create({ id: runId, taskId: task.id, kind: 'scheduled', occurrenceAt: occurrence, state: 'skipped' }, now);
      return;
    }
    if (!(await deps.runs.create({ id: runId, taskId: task.id, kind: 'scheduled', occurrenceAt: occurrence, state: 'pending' }, now))) return;
    await driveRun(task, runId, now);
  }

  /**
   * Takes a pending run to its fan-out: the segment refresh and its failure policy first (once per run:
   * the outcome is recorded), then the keyed fan-out job. Called when the run is created, and again by
   * `redrive` for a run left pending — the scheduler died between the two, or the job was lost — which
   * is safe: the outcome is reused and the key keeps one fan-out job pending at a time.
   */
  async function driveRun(task: EngineTask, runId: string, now: number) {
    const t = task.definition.trigger;
    const refreshKey = `refresh:${runId}`;
    if ((t.type === 'scheduled_once' || t.type === 'recurring') && t.refreshSegment) {
      // Refreshed at the lead time already (refreshAhead), or now when the lead time was missed.
      let outcome = await deps.caps.getState(refreshKey);
      if (outcome === undefined) {
        outcome = (await deps.audience.refresh(task)).kind;
        await deps.caps.setState(refreshKey, outcome, now);
      }
      if (outcome === 'failed' && t.refreshFailure === 'skip') {
        await deps.runs.transition(runId, ['pending'], 'skipped', now, 'segment_refresh_failed');
        return;
      }
    }
    await deps.queue.enqueue(fanoutJob, [{ payload: { runId, taskId: task.id }, key: `fanout:${runId}` }]);
  }

  /** Runs still pending a while after they were created: their fan-out was never handed over, or was lost. */
  async function redrive(now: number, active: Map<string, EngineTask>) {
    for (const run of await deps.runs.pendingSince(now - REDRIVE_AFTER_MS)) {
      const task = active.get(run.task_id);
      if (task && (task.state === 'running' || task.state === 'paused')) await driveRun(task, run.id, now);
    }
  }

  async function refreshAhead(task: EngineTask, occurrence: number, now: number, settings: ProjectSettings) {
    const t = task.definition.trigger;
    if ((t.type !== 'scheduled_once' && t.type !== 'recurring') || !t.refreshSegment) return;
    if (now < segmentRefreshAt(new Date(occurrence), settings.segmentRefreshLeadMinutes).getTime() || now >= occurrence) return;
    const key = `refresh:${occurrenceId(task.id, new Date(occurrence))}`;
    if ((await deps.caps.getState(key)) !== undefined) return;
    const r = await deps.audience.refresh(task);
    await deps.caps.setState(key, r.kind, now);
  }

  async function endTask(task: EngineTask, now: number) {
    if (!(await deps.tasks.transition(task.id, 'end', 'end time reached'))) return;
    await dropWaiting(task.id, now);
  }

  async function dropWaiting(taskId: string, now: number) {
    const waiting = await deps.store.queuedOfTask(taskId);
    await deps.store.skipMany(waiting.map((w) => w.id), 'dropped_at_end_time', now);
    await deps.timers.cancelByTask(taskId);
  }

  async function tickTask(task: EngineTask, now: number, settings: ProjectSettings) {
    const t = task.definition.trigger;
    const decision = approvalTimeoutDecision({ trigger: t, now: new Date(now), state: task.state });
    if (decision === 'cancel') {
      await deps.tasks.transition(task.id, 'approval_timeout', 'approval timeout');
      return;
    }
    switch (t.type) {
      case 'scheduled_once': {
        const sendAt = Date.parse(t.sendAt);
        if (task.state === 'approved') {
          await refreshAhead(task, sendAt, now, settings);
          if (decision === 'run_now' && (await deps.tasks.transition(task.id, 'start'))) await startRun({ ...task, state: 'running' }, sendAt, now, false);
        } else if (task.state === 'running') {
          // A scheduler that crashed between start and the run insert finds the run missing here.
          await startRun(task, sendAt, now, false);
        }
        return;
      }
      case 'recurring': {
        const startAt = Date.parse(t.startAt);
        const endAt = Date.parse(t.endAt);
        if (task.state === 'approved' && now >= startAt) await deps.tasks.transition(task.id, 'start');
        if (now > endAt && (task.state === 'running' || task.state === 'paused' || task.state === 'approved')) return endTask(task, now);
        if (task.state !== 'running' && task.state !== 'approved') return;
        const since = Math.max(startAt, now - 7 * 86_400_000);
        const occ = nextOccurrences(t.cycle, { from: new Date(since), until: new Date(Math.min(now + settings.segmentRefreshLeadMinutes * 60_000, endAt)), timezone: settings.timezone, limit: 1000 });
        for (const o of occ) {
          const at = o.getTime();
          if (at > now) { await refreshAhead(task, at, now, settings); continue; }
          if (task.state !== 'running') continue;
          const existing = await deps.runs.get(occurrenceId(task.id, o));
          if (existing) continue;
          await startRun(task, at, now, now - at > MISSED_OCCURRENCE_GRACE_MS);
        }
        return;
      }
      case 'triggered':
      case 'triggered_not': {
        if (!isEventTrigger(t)) return;
        const endAt = effectiveEndAt(t, settings.timezone).getTime();
        if (now > endAt && (task.state === 'running' || task.state === 'paused' || task.state === 'approved')) return endTask(task, now);
        if (task.state === 'approved' && now >= Date.parse(t.range.start)) await deps.tasks.transition(task.id, 'start');
        return;
      }
    }
  }

  /** Runs whose deliveries are all settled complete; a scheduled-once task completes with its run. */
  async function completeRuns(now: number) {
    for (const run of await deps.runs.finishedRunning()) {
      if (!(await deps.runs.transition(run.id, ['running'], 'completed', now))) continue;
      const task = await deps.tasks.getTask(run.task_id);
      if (task?.definition.trigger.type === 'scheduled_once' && task.state === 'running') await deps.tasks.transition(task.id, 'complete');
    }
  }

  /**
   * Queued deliveries already due whose job was lost (a crash after insert, a job dead-lettered) or that
   * were held by a pause now lifted: dispatched again. A large run has many queued, due deliveries whose
   * jobs are merely still waiting in the queue, so rows count as lost only once the dispatch queue has
   * drained, or after SWEEP_IDLE_MS untouched. Held rows of paused tasks are left alone.
   */
  let lastBusySweep = 0;
  async function sweep(now: number, paused: string[]) {
    const drained = (await deps.queue.counts(dispatchJob as JobDefinition<unknown>)).pending === 0;
    // While jobs are pending, every queued due row of a big run matches the cheap part of the query;
    // looking for the long-idle ones among them each second would scan them all each second.
    if (!drained) {
      if (now - lastBusySweep < SWEEP_IDLE_MS / 2) return;
      lastBusySweep = now;
    }
    const overdue = await deps.store.overdueQueued(now, now - (drained ? 30_000 : SWEEP_IDLE_MS), 5_000, paused);
    if (!overdue.length) return;
    await deps.store.touch(overdue.map((o) => o.id), now);
    const items = [];
    for (let i = 0; i < overdue.length; i += DISPATCH_BATCH) items.push({ payload: { ids: overdue.slice(i, i + DISPATCH_BATCH).map((o) => o.id) } });
    await deps.queue.enqueue(dispatchJob, items);
  }

  /**
   * The exactly-once reconciliation. A delivery in `sending` longer than the window: the worker that
   * claimed it died or its request timed out. WhatsApp sends a `sent` status, carrying our delivery ID
   * in `biz_opaque_callback_data`, for every message it accepts; the webhook sink adopts it and moves
   * the delivery on. So if status webhooks have been received later than claim + window and none named
   * this delivery, it was not accepted: it goes back to `queued` and is sent once more. Without any
   * webhook traffic since, nothing is provable and it keeps waiting, up to 7 days (Meta's webhook retry
   * horizon), after which it fails as unknown.
   */
  async function reconcile(now: number) {
    const stuck = await deps.store.stuckSending(now - window - SEND_DEADLINE_MS - SEND_TIMEOUT_MS, 1_000);
    if (!stuck.length) return;
    const lastSeen = deps.statusEvidence ? await deps.statusEvidence() : Number((await deps.caps.getState(LAST_STATUS_KEY)) ?? 0);
    const requeue: string[] = [];
    for (const d of stuck) {
      // The request left at most SEND_DEADLINE_MS after the claim and WhatsApp could accept it until the
      // request timed out (dispatcher.ts); its `sent` status then had the window to arrive.
      const latestSend = Number(d.sending_at) + SEND_DEADLINE_MS + SEND_TIMEOUT_MS;
      if (lastSeen > latestSend + window) {
        if (await deps.store.release(d.id, now, now)) requeue.push(d.id);
      } else if (now - latestSend > RECONCILE_GIVE_UP_MS) {
        await deps.store.fail(d.id, { reason: 'unknown_outcome', code: null, title: 'No evidence whether WhatsApp accepted the message' }, now);
      }
    }
    for (let i = 0; i < requeue.length; i += DISPATCH_BATCH) await deps.queue.enqueue(dispatchJob, [{ payload: { ids: requeue.slice(i, i + DISPATCH_BATCH) } }]);
  }

  async function tick(now = clock.now()): Promise<void> {
    const settings = await deps.settings();
    const active = await deps.tasks.listActive();
    for (const task of active) {
      try {
        await tickTask(task, now, settings);
      } catch (e) {
        deps.onError?.(e, task.id);
      }
    }
    // Runs created but whose fan-out job was lost.
    await redrive(now, new Map(active.map((t) => [t.id, t])));
    await completeRuns(now);
    await sweep(now, active.filter((t) => t.state === 'paused').map((t) => t.id));
    await reconcile(now);
  }

  return { tick, dropWaiting };
}
export type Scheduler = ReturnType<typeof createScheduler>;
