/**
 * Items due at given times, released in due order through one scheduler timer (armed for the earliest item),
 * not one timer per item: at 10k messages/s with three status webhooks each, per-item timers would dominate.
 */
import type { Clock, Scheduler, TimerHandle } from '../shared/time';

interface Slot<T> {
  due: number;
  seq: number;
  item: T;
}

export class TimedQueue<T> {
  private heap: Slot<T>[] = [];
  private seq = 0;
  private timer: TimerHandle | undefined;
  private timerDue = Infinity;
  /** While releasing, items re-queued by the release callback must not re-arm the timer one by one. */
  private draining = false;

  constructor(
    private readonly now: Clock,
    private readonly scheduler: Scheduler,
    private readonly release: (item: T) => void,
  ) {}

  get size(): number {
    return this.heap.length;
  }

  push(due: number, item: T): void {
    const slot = { due, seq: this.seq++, item };
    const h = this.heap;
    h.push(slot);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
    if (due < this.timerDue && !this.draining) this.arm();
  }

  /** Releases everything already due, then arms the timer for what remains. */
  drainDue(): void {
    const now = this.now();
    this.draining = true;
    try {
      while (this.heap.length > 0 && this.heap[0]!.due <= now) this.release(this.pop().item);
    } finally {
      this.draining = false;
    }
    if (this.heap.length > 0 && this.heap[0]!.due < this.timerDue) this.arm();
  }

  clear(): void {
    this.heap = [];
    if (this.timer) this.scheduler.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDue = Infinity;
  }

  private less(a: Slot<T>, b: Slot<T>): boolean {
    return a.due < b.due || (a.due === b.due && a.seq < b.seq);
  }

  private pop(): Slot<T> {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }

  private arm(): void {
    if (this.timer) this.scheduler.clearTimeout(this.timer);
    const first = this.heap[0];
    if (!first) {
      this.timer = undefined;
      this.timerDue = Infinity;
      return;
    }
    this.timerDue = first.due;
    this.timer = this.scheduler.setTimeout(() => {
      this.timer = undefined;
      this.timerDue = Infinity;
      this.drainDue();
    }, first.due - this.now());
  }
}
