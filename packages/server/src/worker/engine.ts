import type { ProjectSettings } from '@wareach/core';
import type { Container } from '../app/container';
import { createDeliveryRefs, createSecretBox } from '../adapters/crypto';
import { createBullmqQueue } from '../adapters/queue/bullmq-queue';
import { createEmbeddedQueue } from '../adapters/queue/embedded-queue';
import type { JobDefinition, Queue } from '../adapters/queue/queue-port';
import { createCapStore } from '../adapters/storage/cap-store';
import { createDeliveryStore } from '../adapters/storage/delivery-store';
import { createQueueStore } from '../adapters/storage/queue-store';
import { createRunStore } from '../adapters/storage/run-store';
import { createTimerStore } from '../adapters/storage/timer-store';
import { createTriggerStore } from '../adapters/storage/trigger-store';
import type { IngestedEvent } from '../adapters/storage/event-store';
import { createCallbackEvents } from '../services/callback-events';
import { createDeliveryUpdates } from '../services/deliveries';
import { createDispatcher } from '../services/dispatcher';
import { dispatchJob, fanoutJob } from '../services/dispatcher-jobs';
import type { AudienceSource, ChannelGateway, EngineTask, EngineTaskSource } from '../services/dispatcher-ports';
import { createScheduler, LAST_STATUS_KEY } from '../services/scheduler';
import type { Clock } from '../services/ports';
import { createFanout } from '../services/scheduler-fanout';
import { createTriggerEngine } from '../services/trigger-engine';
import { createTimerPoller } from './timer-poller';

/** Dispatch jobs (batches of up to 200 deliveries) one worker runs at once. */
const DISPATCH_JOBS_AT_ONCE = 8;

export interface EnginePorts {
  tasks: EngineTaskSource;
  audience: AudienceSource;
  channels: ChannelGateway;
}

export interface EngineOptions {
  /** Use this queue (tests); default: BullMQ when Redis is configured, else the embedded queue. */
  queue?: Queue;
  /** Embedded queue only: false makes work run through `drain()` (tests on a manual clock). */
  autoStart?: boolean;
  redisPrefix?: string;
  reconcileWindowMs?: number;
  /**
   * The reconciler's evidence: a time T such that every status webhook received up to T has been
   * applied (engine-wiring reads it from the webhook inbox). Default: when this engine's sink last saw
   * a status (enough for one process and for tests).
   */
  statusEvidence?: () => Promise<number>;
  /** Recorded on each delivery this process claims (`sent_by`). */
  workerId?: string;
  random?: () => number;
}

/**
 * Assembles the execution engine over a container: stores, queue, dispatcher, scheduler, trigger
 * engine and the webhook sink. `start()` runs the consumers, the timer poller and the scheduler loop
 * (the worker); the trigger listener and the sink are registered at once, since ingestion and webhooks
 * happen in API processes too.
 */
export function createEngine(c: Container, ports: EnginePorts, opts: EngineOptions = {}) {
  const { db, clock } = c;
  const store = createDeliveryStore(db, c.database.dialect, c.database.sqlite);
  const runs = createRunStore(db);
  const caps = createCapStore(db, c.database.dialect);
  const timers = createTimerStore(c.database);
  const triggers = createTriggerStore(db, c.database.sqlite);
  const embedded = !opts.queue && !c.config.redisUrl
    ? createEmbeddedQueue({ store: createQueueStore(c.database), clock, autoStart: opts.autoStart ?? true, onError: (e, job) => c.logger.warn({ err: e, job }, 'job failed') })
    : undefined;
  const queue: Queue = opts.queue ?? embedded ?? createBullmqQueue({ redisUrl: c.config.redisUrl!, prefix: opts.redisPrefix ?? c.config.redisPrefix, visibilityMs: 30_000, onError: (e, job) => c.logger.warn({ err: e, job }, 'job failed') });
  const settings = (): Promise<ProjectSettings> => c.project.getSettings();
  const kindCache = new Map<string, string>();
  const callbacks = createCallbackEvents({
    writeEvents: (events) => c.customerData.writeEvents(events),
    taskKindOf: async (taskId) => {
      let k = kindCache.get(taskId);
      if (!k) {
        k = (await ports.tasks.getTask(taskId))?.definition.trigger.type ?? 'unknown';
        kindCache.set(taskId, k);
      }
      return k;
    },
  });
  const refs = createDeliveryRefs(createSecretBox(c.config.secretKey));
  const updates = createDeliveryUpdates({ store, callbacks, clock, refs, noteStatusSeen: (at) => caps.setState(LAST_STATUS_KEY, String(at), at) });
  const taskCache = cachedTasks(ports.tasks, clock);
  const dispatcher = createDispatcher({
    store, runs, caps, timers, queue, tasks: taskCache.source, audience: ports.audience, channels: ports.channels, profiles: c.profiles, settings, updates, callbacks, clock, refs,
    ...(opts.random ? { random: opts.random } : {}),
    ...(opts.workerId ? { workerId: opts.workerId } : {}),
    ...(c.pairGate ? { pairGate: c.pairGate } : {}),
    concurrency: c.config.workerConcurrency,
    onError: (e, id) => c.logger.error({ err: e, deliveryId: id }, 'dispatch failed'),
  });
  const fanout = createFanout({ tasks: ports.tasks, audience: ports.audience, store, runs, triggers, queue, clock });
  const scheduler = createScheduler({
    tasks: ports.tasks, audience: ports.audience, store, runs, caps, timers, triggers, queue, clock, settings,
    ...(opts.reconcileWindowMs !== undefined ? { reconcileWindowMs: opts.reconcileWindowMs } : {}),
    ...(opts.statusEvidence ? { statusEvidence: opts.statusEvidence } : {}),
    onError: (e, taskId) => c.logger.error({ err: e, taskId }, 'scheduler failed on a task'),
  });
  const triggerEngine = createTriggerEngine({ tasks: ports.tasks, store, runs, triggers, timers, dispatcher, queue, clock, timezone: async () => (await settings()).timezone });
  const poller = createTimerPoller({ timers, queue, clock, jobs: [dispatchJob as JobDefinition<unknown>], onError: (e) => c.logger.error({ err: e }, 'timer poller failed') });

  // The webhook sink is registered by app/engine-wiring.ts, which maps the drain's shapes to `updates`.
  c.eventListeners.push(Object.assign((events: IngestedEvent[]) => triggerEngine.onEvents(events), { eventNames: () => triggerEngine.eventNames() }));

  let consuming = false;
  function registerConsumers() {
    if (consuming) return;
    consuming = true;
    // A few batches at once: while one waits on the database another sends. The sends of all of them
    // share the dispatcher's limit of `workerConcurrency` requests in flight.
    queue.consume(dispatchJob, async (p) => dispatcher.dispatch(p.ids), { concurrency: DISPATCH_JOBS_AT_ONCE });
    queue.consume(fanoutJob, async (p) => fanout(p.runId, p.taskId), { concurrency: 2 });
  }

  let schedulerLoop: Promise<void> | null = null;
  let stopped = false;
  let wake: (() => void) | null = null;

  return {
    queue, store, runs, caps, timers, triggers, dispatcher, scheduler, triggerEngine, updates, poller, fanout, refs,
    /** Told of every task change made in this process: the trigger index and the dispatcher's tasks. */
    invalidateTasks(taskId?: string) {
      triggerEngine.invalidate();
      taskCache.invalidate(taskId);
    },
    /** Embedded queue with autoStart false: registers handlers so drain() can run them. */
    registerConsumers,
    /** Tests: one full step of the worker at the clock's time — scheduler, timers, then every ready job. */
    async step(): Promise<void> {
      registerConsumers();
      await scheduler.tick(clock.now());
      for (let i = 0; i < 20; i++) {
        const t = await poller.tick(clock.now());
        const n = embedded ? await embedded.drain() : 0;
        if (t === 0 && n === 0) break;
      }
    },
    start(o: { schedulerIntervalMs?: number; timerIntervalMs?: number } = {}) {
      registerConsumers();
      poller.start(o.timerIntervalMs ?? 250);
      stopped = false;
      schedulerLoop = (async () => {
        while (!stopped) {
          try {
            await scheduler.tick(clock.now());
          } catch (e) {
            c.logger.error({ err: e }, 'scheduler tick failed');
          }
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, o.schedulerIntervalMs ?? 1_000);
            wake = () => { clearTimeout(t); resolve(); };
          });
        }
      })();
    },
    async stop() {
      stopped = true;
      wake?.();
      await schedulerLoop;
      await poller.stop();
      await queue.stop();
    },
    async close() {
      await this.stop();
      await queue.close();
    },
  };
}
export type Engine = ReturnType<typeof createEngine>;

/** How long the dispatcher trusts a task it read (a change made in another process shows within it). */
export const TASK_CACHE_MS = 1_000;

/**
 * The dispatcher reads the task of every batch it sends; a broadcast or a busy trigger sends
 * thousands of batches of a few tasks. Tasks are kept for TASK_CACHE_MS and dropped at once on every
 * change made in this process (pause, cancel, edit, …), so a pause stops sends at once here and within
 * a second in other workers.
 */
function cachedTasks(src: EngineTaskSource, clock: Clock) {
  const cache = new Map<string, { at: number; task: Promise<EngineTask | undefined> }>();
  const source: EngineTaskSource = {
    ...src,
    getTask(id) {
      const now = clock.now();
      const hit = cache.get(id);
      if (hit && now - hit.at >= 0 && now - hit.at < TASK_CACHE_MS) return hit.task;
      if (cache.size > 10_000) cache.clear();
      const task = src.getTask(id);
      cache.set(id, { at: now, task });
      task.catch(() => cache.delete(id));
      return task;
    },
  };
  return {
    source,
    invalidate(id?: string) {
      if (id) cache.delete(id);
      else cache.clear();
    },
  };
}
