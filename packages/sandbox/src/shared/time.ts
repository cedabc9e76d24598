/**
 * Time is an input (DESIGN habit 2): the sandbox reads the clock and arms timers only through these ports, so
 * tests drive webhook delays, template review and latency with `createManualTime` instead of sleeping.
 */
export type Clock = () => number;

export type TimerHandle = { readonly id: number };

export interface Scheduler {
  /** Runs `fn` after `ms` milliseconds of scheduler time. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: Clock = () => Date.now();

/** Real timers, unref'd so a forgotten sandbox never keeps a test process alive. */
export function createSystemScheduler(): Scheduler {
  const timers = new Map<number, NodeJS.Timeout>();
  let next = 1;
  return {
    setTimeout(fn, ms) {
      const id = next++;
      const timer = setTimeout(() => {
        timers.delete(id);
        fn();
      }, Math.max(0, ms));
      timer.unref();
      timers.set(id, timer);
      return { id };
    },
    clearTimeout(handle) {
      const timer = timers.get(handle.id);
      if (timer) clearTimeout(timer);
      timers.delete(handle.id);
    },
  };
}

export interface ManualTime {
  now: Clock;
  scheduler: Scheduler;
  /** Moves time forward by `ms`, running every timer that falls due, in due order. */
  advance(ms: number): void;
  /** Timers still waiting. */
  pending(): number;
}

/** A clock and scheduler that only move when told to. Timers armed while advancing run if they fall due. */
export function createManualTime(startMs = Date.UTC(2025, 5, 1, 8, 0, 0)): ManualTime {
  let current = startMs;
  let nextId = 1;
  const timers = new Map<number, { at: number; seq: number; fn: () => void }>();
  const scheduler: Scheduler = {
    setTimeout(fn, ms) {
      const id = nextId++;
      timers.set(id, { at: current + Math.max(0, ms), seq: id, fn });
      return { id };
    },
    clearTimeout(handle) {
      timers.delete(handle.id);
    },
  };
  return {
    now: () => current,
    scheduler,
    advance(ms) {
      const target = current + Math.max(0, ms);
      for (;;) {
        let dueId = -1;
        let due: { at: number; seq: number; fn: () => void } | undefined;
        for (const [id, t] of timers) {
          if (t.at <= target && (!due || t.at < due.at || (t.at === due.at && t.seq < due.seq))) {
            due = t;
            dueId = id;
          }
        }
        if (!due) break;
        timers.delete(dueId);
        current = Math.max(current, due.at);
        due.fn();
      }
      current = target;
    },
    pending: () => timers.size,
  };
}
