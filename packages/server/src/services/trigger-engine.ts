import {
  countStep,
  dueTimeFor,
  dueTimeNotB,
  isEventTrigger,
  isInEventRange,
  matchPropertyFilters,
  timingDurationMs,
  type EventTrigger,
} from '@wareach/core';
import type { IngestedEvent } from '../adapters/storage/event-store';
import type { DeliveryStore, NewDelivery } from '../adapters/storage/delivery-store';
import { deliveryIdFor } from '../adapters/storage/delivery-store';
import type { Queue } from '../adapters/queue/queue-port';
import { DISPATCH_BATCH, dispatchJob } from './dispatcher-jobs';
import type { RunStore } from '../adapters/storage/run-store';
import type { TimerStore } from '../adapters/storage/timer-store';
import type { TriggerStore } from '../adapters/storage/trigger-store';
import type { Dispatcher } from './dispatcher';
import type { EngineTask, EngineTaskSource } from './dispatcher-ports';
import type { Clock } from './ports';

/** The run that holds a triggered task's stream of sends. */
export const streamRunId = (taskId: string) => `${taskId}:stream`;

/**
 * Triggered tasks (SPEC section 3, step 4): every ingested event — callback events included — is
 * matched against the running triggered tasks, indexed by event name. A qualifying A (in the range,
 * filters passing, the count step reached) becomes a delivery due at core's due time; a future one
 * waits as a durable timer. For "A and not B", B within the window after A cancels the waiting
 * delivery (skipped `cancelled_by_event_b`); a B ingested before its A is found when A arrives.
 * The audience is checked when the message is due (dispatcher step 2). The index is cached and
 * rebuilt on `invalidate()` (task changes) or after `ttlMs`.
 */
export function createTriggerEngine(deps: {
  tasks: EngineTaskSource;
  store: DeliveryStore;
  runs: RunStore;
  triggers: TriggerStore;
  timers: TimerStore;
  dispatcher: Dispatcher;
  queue: Queue;
  clock: Clock;
  timezone: () => Promise<string>;
  ttlMs?: number;
}) {
  const ttl = deps.ttlMs ?? 5_000;
  let index: { at: number; byName: Map<string, { task: EngineTask; role: 'A' | 'B' }[]> } | null = null;
  const startedStreams = new Set<string>();

  async function getIndex() {
    const now = deps.clock.now();
    if (index && now - index.at < ttl) return index.byName;
    const byName = new Map<string, { task: EngineTask; role: 'A' | 'B' }[]>();
    for (const task of await deps.tasks.listActive()) {
      const t = task.definition.trigger;
      if (task.state !== 'running' || !isEventTrigger(t)) continue;
      const add = (name: string, role: 'A' | 'B') => byName.set(name, [...(byName.get(name) ?? []), { task, role }]);
      add(t.eventA.name, 'A');
      if (t.type === 'triggered_not') add(t.eventB.name, 'B');
    }
    index = { at: now, byName };
    return byName;
  }

  async function onB(task: EngineTask, trigger: Extract<EventTrigger, { type: 'triggered_not' }>, e: IngestedEvent) {
    if (!matchPropertyFilters(trigger.eventB.filters, e.properties)) return;
    const w = timingDurationMs(trigger.window);
    const waiting = await deps.store.waitingFor(task.id, e.profileId);
    const cancel = waiting.filter((d) => d.trigger_at !== null && Number(d.trigger_at) <= e.at && e.at <= Number(d.trigger_at) + w);
    if (!cancel.length) return;
    await deps.store.skipMany(cancel.map((d) => d.id), 'cancelled_by_event_b', deps.clock.now());
    await deps.timers.cancel(cancel.map((d) => `d:${d.id}`));
  }

  /** A qualifying A, resolved to its delivery (written with the others of the same ingestion batch). */
  interface Pending { task: EngineTask; delivery: NewDelivery; due: number }

  /** A's in range whose filters pass, for one batch: counted together, then each checked in order. */
  async function onAs(candidates: { task: EngineTask; trigger: EventTrigger; e: IngestedEvent }[], tz: string, out: Pending[]) {
    const now = deps.clock.now();
    const hits = candidates.filter((c) => isInEventRange(c.trigger.range, new Date(c.e.at)) && matchPropertyFilters(c.trigger.eventA.filters, c.e.properties));
    if (!hits.length) return;
    const key = (taskId: string, profileId: string) => `${taskId}\u0000${profileId}`;
    const by = new Map<string, { taskId: string; profileId: string; by: number }>();
    for (const h of hits) {
      const k = key(h.task.id, h.e.profileId);
      const x = by.get(k) ?? { taskId: h.task.id, profileId: h.e.profileId, by: 0 };
      x.by++;
      by.set(k, x);
    }
    const totals = await deps.triggers.incrementMany([...by.values()], now);
    // Each A of the batch gets its own count, in order: the first of k new ones is total − k + 1.
    const next = new Map([...by].map(([k, x]) => [k, (totals.get(k) ?? x.by) - x.by + 1]));
    for (const { task, trigger, e } of hits) {
      const k = key(task.id, e.profileId);
      const count = next.get(k)!;
      next.set(k, count + 1);
      if (!countStep(count - 1, trigger.counting.kind, trigger.counting.n).qualifies) continue;
      if (trigger.type === 'triggered_not') {
        // A B already ingested within the window (events can arrive out of order) cancels before we wait.
        const bs = await deps.triggers.eventsBetween(e.profileId, trigger.eventB.name, e.at, e.at + timingDurationMs(trigger.window));
        if (bs.some((b) => matchPropertyFilters(trigger.eventB.filters, JSON.parse(b.properties) as Record<string, unknown>))) continue;
      }
      const due = (trigger.type === 'triggered_not' ? dueTimeNotB(new Date(e.at), trigger.window, trigger.timing, tz) : dueTimeFor(trigger.timing, new Date(e.at), tz)).getTime();
      const runId = streamRunId(task.id);
      if (!startedStreams.has(runId)) {
        await deps.runs.create({ id: runId, taskId: task.id, kind: 'triggered', occurrenceAt: Date.parse(trigger.range.start), state: 'running' }, now);
        startedStreams.add(runId);
      }
      out.push({ task, due, delivery: { taskId: task.id, runId, recipient: `${e.profileId}#${count}`, profileId: e.profileId, phone: null, priority: task.definition.delivery.taskType, dueAt: due, triggerAt: e.at } });
    }
  }

  /**
   * Writes the batch's deliveries in one insert and hands them over: the ones due now as dispatch jobs
   * of up to DISPATCH_BATCH deliveries (so 2,000 events a second are tens of jobs, not thousands), the
   * later ones through the dispatcher's short-wait jobs or durable timers.
   */
  async function flush(pending: Pending[]) {
    if (!pending.length) return;
    const now = deps.clock.now();
    const phones = await deps.triggers.whatsappPhones([...new Set(pending.map((p) => p.delivery.profileId!))]);
    for (const p of pending) p.delivery.phone = phones.get(p.delivery.profileId!) ?? null;
    // Only rows this call inserted go on: one already there is being handled.
    const fresh = await deps.store.insertNew(pending.map((p) => p.delivery), now);
    const byRun = new Map<string, number>();
    const dueNow: string[] = [];
    const later: { id: string; dueAt: number; taskId: string }[] = [];
    for (const p of pending) {
      const id = idOf(p.delivery);
      if (!fresh.has(id)) continue;
      byRun.set(p.delivery.runId, (byRun.get(p.delivery.runId) ?? 0) + 1);
      if (p.due <= now) dueNow.push(id);
      else later.push({ id, dueAt: p.due, taskId: p.task.id });
    }
    await deps.dispatcher.wakeMany(later);
    await deps.runs.addAudienceMany(byRun);
    const jobs = [];
    for (let i = 0; i < dueNow.length; i += DISPATCH_BATCH) jobs.push({ payload: { ids: dueNow.slice(i, i + DISPATCH_BATCH) } });
    await deps.queue.enqueue(dispatchJob, jobs);
  }
  const idOf = (d: NewDelivery) => deliveryIdFor(d.taskId, d.runId, d.recipient);

  return {
    invalidate() {
      index = null;
    },
    /** The names of the events running triggered tasks wait for (A or B): a bulk import gives the listener only those. */
    async eventNames(): Promise<ReadonlySet<string>> {
      return new Set((await getIndex()).keys());
    },
    /** The listener pushed into `c.eventListeners`. */
    async onEvents(events: IngestedEvent[]): Promise<void> {
      const byName = await getIndex();
      if (byName.size === 0) return;
      const tz = await deps.timezone();
      const pending: Pending[] = [];
      let as: { task: EngineTask; trigger: EventTrigger; e: IngestedEvent }[] = [];
      for (const e of events) {
        for (const { task, role } of byName.get(e.name) ?? []) {
          const t = task.definition.trigger;
          if (!isEventTrigger(t)) continue;
          if (role === 'B' && t.type === 'triggered_not') {
            // The A's before this B in the batch are written before the B looks for what it cancels.
            await onAs(as, tz, pending);
            as = [];
            await flush(pending.splice(0));
            await onB(task, t, e);
          } else if (role === 'A') as.push({ task, trigger: t, e });
        }
      }
      await onAs(as, tz, pending);
      await flush(pending);
    },
  };
}
export type TriggerEngine = ReturnType<typeof createTriggerEngine>;
