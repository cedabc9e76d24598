import type { TimerStore } from '../adapters/storage/timer-store';
import { wireName, type JobDefinition, type Queue } from '../adapters/queue/queue-port';
import type { Clock } from '../services/ports';

/**
 * Hands due timers to the queue. Claim, enqueue, then remove: a crash between enqueue and remove
 * re-enqueues the timer's job after the claim expires, which is safe because every job handler is
 * idempotent; the opposite order could lose a wait. The job key `timer:<key>` keeps a timer handed over
 * twice while its first job is still pending from running twice.
 */
export function createTimerPoller(deps: { timers: TimerStore; queue: Queue; clock: Clock; jobs: JobDefinition<unknown>[]; batch?: number; onError?: (e: unknown) => void }) {
  const byName = new Map(deps.jobs.map((d) => [wireName(d), d]));
  const batch = deps.batch ?? 5_000;
  let stopped = true;
  let loop: Promise<void> = Promise.resolve();
  let wake: (() => void) | null = null;

  /** One pass: hands over every timer due at `now`; returns how many. */
  async function tick(now = deps.clock.now()): Promise<number> {
    let total = 0;
    for (;;) {
      const due = await deps.timers.claimDue(now, batch, 60_000);
      if (due.length === 0) return total;
      const groups = new Map<string, { payload: unknown; key: string }[]>();
      for (const t of due) {
        const list = groups.get(t.jobName) ?? [];
        list.push({ payload: t.payload, key: `timer:${t.key}` });
        groups.set(t.jobName, list);
      }
      for (const [name, items] of groups) {
        const def = byName.get(name);
        if (!def) throw new Error(`timer for unknown job ${name}`);
        await deps.queue.enqueue(def, items);
      }
      await deps.timers.remove(due.map((t) => t.id));
      total += due.length;
      if (due.length < batch) return total;
    }
  }

  return {
    tick,
    start(intervalMs = 250) {
      if (!stopped) return;
      stopped = false;
      loop = (async () => {
        while (!stopped) {
          try {
            await tick();
          } catch (e) {
            deps.onError?.(e);
          }
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, intervalMs);
            wake = () => { clearTimeout(t); resolve(); };
          });
          wake = null;
        }
      })();
    },
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}
export type TimerPoller = ReturnType<typeof createTimerPoller>;
