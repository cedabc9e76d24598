/**
 * When a triggered message is due, counted from the qualifying event A (or, for "A and not B", from
 * the end of the window W). Wall times (`at_time`, `weekday`) are in the project timezone and follow
 * the DST policy of wall-clock.ts.
 */
import type { EventRange, TriggerTiming } from './event-schemas';
import type { TimingDuration } from './time-schemas';
import { timingDurationMs } from './time-schemas';
import type { EventTrigger } from './trigger-schema';
import { nextWallTime, parseClockTime, startOfLocalDay } from './wall-clock';

/**
 * - `immediate`: at the event.
 * - `delay`: the event plus the amount (a day is 24 hours).
 * - `at_time` without `daysLater` (or 0): the first HH:MM strictly after the event.
 * - `at_time` with `daysLater` N ≥ 1: HH:MM on the Nth local day after the event's day, whatever the
 *   event's hour ("1 day later at 10:00" after an event on Monday 11:00 is Tuesday 10:00).
 * - `weekday`: the first chosen weekday at HH:MM strictly after the event (Tuesday 10:00: an event on
 *   Tuesday 09:00 sends at 10:00 that day; one on Tuesday 10:00 or 11:00 waits for next Tuesday).
 */
export function dueTimeFor(timing: TriggerTiming, qualifyingEventAt: Date, timezone: string): Date {
  const at = qualifyingEventAt.getTime();
  switch (timing.kind) {
    case 'immediate':
      return new Date(at);
    case 'delay':
      return new Date(at + timingDurationMs(timing));
    case 'at_time': {
      const time = parseClockTime(timing.time);
      const daysLater = timing.daysLater ?? 0;
      if (daysLater === 0) return new Date(nextWallTime(time, at, timezone));
      const dayStart = startOfLocalDay(at, timezone, daysLater);
      // "at or after midnight" so that 00:00 on that day counts.
      return new Date(nextWallTime(time, dayStart - 1, timezone));
    }
    case 'weekday':
      return new Date(nextWallTime(parseClockTime(timing.time), at, timezone, timing.weekdays));
  }
}

/** The end of the window W that starts at the qualifying A. */
export function windowEndAt(eventAAt: Date, window: TimingDuration): Date {
  return new Date(eventAAt.getTime() + timingDurationMs(window));
}

/** "Did A and not B": the timing is counted from the end of W; `immediate` sends at the end of W. */
export function dueTimeNotB(eventAAt: Date, window: TimingDuration, timing: TriggerTiming, timezone: string): Date {
  return dueTimeFor(timing, windowEndAt(eventAAt, window), timezone);
}

/** Both ends included. */
export function isInEventRange(range: EventRange, at: Date): boolean {
  const t = at.getTime();
  return t >= Date.parse(range.start) && t <= Date.parse(range.end);
}

/**
 * The first B that cancels the message of A: a B done within W after A, both ends included
 * (a B at the same instant as A, or exactly at the end of W, cancels). Null when none does.
 */
export function cancellingEventB(eventAAt: Date, window: TimingDuration, eventBTimes: readonly Date[]): Date | null {
  const start = eventAAt.getTime();
  const end = windowEndAt(eventAAt, window).getTime();
  let first: Date | null = null;
  for (const b of eventBTimes) {
    const t = b.getTime();
    if (t >= start && t <= end && (first === null || t < first.getTime())) first = b;
  }
  return first;
}

/**
 * The end time the system fills in: the due time of an event at the very end of the range, which is
 * the range end plus the longest delay (plus W for "not B"). Every timing is monotonic in the event
 * time, so no event in the range is due later than this.
 */
export function defaultEndAt(trigger: Pick<EventTrigger, 'range' | 'timing'> & { window?: TimingDuration }, timezone: string): Date {
  const rangeEnd = new Date(trigger.range.end);
  return trigger.window
    ? dueTimeNotB(rangeEnd, trigger.window, trigger.timing, timezone)
    : dueTimeFor(trigger.timing, rangeEnd, timezone);
}

/**
 * The explicit end time when set, else the default. A message due exactly at the end time is sent;
 * after it nothing is sent, delayed messages included (the default end must not drop the last one).
 */
export function effectiveEndAt(trigger: EventTrigger, timezone: string): Date {
  return trigger.endAt ? new Date(trigger.endAt) : defaultEndAt(trigger, timezone);
}
