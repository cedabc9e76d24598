/**
 * "When would this send?" for the console and `POST /api/v1/tasks/preview-timing`, built from the same
 * functions the engine runs. Scheduled triggers list their next occurrences; event triggers walk a
 * sample user's events A (and B) through range, counting, window and end time, and say for each A
 * when its message is due or why there is none.
 */
import { isValidTimezone } from '../customer/timezone';
import type { FieldError, Result } from '../shared/result';
import { err, ok } from '../shared/result';
import { approvalDeadline } from './approval-deadline';
import { countStep } from './counting';
import { cancellingEventB, dueTimeFor, dueTimeNotB, effectiveEndAt, isInEventRange } from './due-time';
import { MAX_OCCURRENCES, nextOccurrences } from './next-occurrences';
import { utcInstantSchema } from './time-schemas';
import type { EventTrigger, TaskTrigger } from './trigger-schema';
import type { ZonedTime } from './wall-clock';
import { zonedTime } from './wall-clock';

export interface PreviewTimingOptions {
  now: Date;
  /** The project timezone; local times are shown in it. */
  timezone: string;
  /** A sample user's events as ISO date-times: A for every event trigger, B for "A and not B". */
  events?: { a: readonly string[]; b?: readonly string[] };
  /** How many scheduled occurrences to list (default 10). */
  limit?: number;
}

export type NoSendReason =
  /** A happened outside the event range. */
  | 'outside_range'
  /** Counting has not reached N (cumulative) or a multiple of N (every) with this A. */
  | 'count_not_reached'
  /** Cumulative counting reaches a user once; this A came after that. */
  | 'already_reached'
  /** B happened within W after A. */
  | 'cancelled_by_b'
  /** The message would be due after the task's end time and is dropped (due exactly at it is sent). */
  | 'past_end_time';

export interface EventTimingPreview {
  /** Position of this A in `events.a`; results are in time order. */
  index: number;
  eventAt: ZonedTime;
  /** The user's count of A in the range after this event. */
  count: number;
  outcome: { kind: 'due'; dueAt: ZonedTime } | { kind: 'none'; reason: NoSendReason; cancelledByBAt?: ZonedTime };
}

export type TimingPreview =
  | {
      kind: 'scheduled_once';
      sendAt: ZonedTime;
      /** An unapproved task is cancelled at this time whatever its approval-timeout policy. */
      approvalDeadline: ZonedTime;
      sendTimePassed: boolean;
    }
  | { kind: 'recurring'; occurrences: ZonedTime[]; moreAfter: boolean; endAt: ZonedTime }
  | { kind: 'event'; endAt: ZonedTime; endAtDefaulted: boolean; events: EventTimingPreview[] };

function parseInstants(values: readonly string[], path: string, errors: FieldError[]): Date[] {
  return values.map((value, i) => {
    const parsed = utcInstantSchema.safeParse(value);
    if (!parsed.success) {
      errors.push({ path: `${path}.${i}`, message: parsed.error.issues[0]?.message ?? 'Invalid date-time' });
      return new Date(Number.NaN);
    }
    return new Date(parsed.data);
  });
}

function previewEvents(trigger: EventTrigger, a: Date[], b: Date[], timezone: string): EventTimingPreview[] {
  const endAt = effectiveEndAt(trigger, timezone).getTime();
  const order = a.map((at, index) => ({ at, index })).sort((x, y) => x.at.getTime() - y.at.getTime());
  let count = 0;
  let reached = false;
  return order.map(({ at, index }): EventTimingPreview => {
    const base = { index, eventAt: zonedTime(at.getTime(), timezone) };
    if (!isInEventRange(trigger.range, at)) {
      return { ...base, count, outcome: { kind: 'none', reason: 'outside_range' } };
    }
    const step = countStep(count, trigger.counting.kind, trigger.counting.n);
    count = step.count;
    if (!step.qualifies) {
      const reason = trigger.counting.kind === 'cumulative' && reached ? 'already_reached' : 'count_not_reached';
      return { ...base, count, outcome: { kind: 'none', reason } };
    }
    reached = true;
    if (trigger.type === 'triggered_not') {
      const cancelling = cancellingEventB(at, trigger.window, b);
      if (cancelling) {
        const cancelledByBAt = zonedTime(cancelling.getTime(), timezone);
        return { ...base, count, outcome: { kind: 'none', reason: 'cancelled_by_b', cancelledByBAt } };
      }
    }
    const due =
      trigger.type === 'triggered_not'
        ? dueTimeNotB(at, trigger.window, trigger.timing, timezone)
        : dueTimeFor(trigger.timing, at, timezone);
    if (due.getTime() > endAt) return { ...base, count, outcome: { kind: 'none', reason: 'past_end_time' } };
    return { ...base, count, outcome: { kind: 'due', dueAt: zonedTime(due.getTime(), timezone) } };
  });
}

export function previewTiming(trigger: TaskTrigger, options: PreviewTimingOptions): Result<TimingPreview> {
  const { now, timezone } = options;
  if (!isValidTimezone(timezone)) return err([{ path: 'timezone', message: `Unknown IANA time zone: ${timezone}` }]);
  switch (trigger.type) {
    case 'scheduled_once': {
      const sendAt = Date.parse(trigger.sendAt);
      return ok({
        kind: 'scheduled_once',
        sendAt: zonedTime(sendAt, timezone),
        approvalDeadline: zonedTime(approvalDeadline(new Date(sendAt)).getTime(), timezone),
        sendTimePassed: sendAt <= now.getTime(),
      });
    }
    case 'recurring': {
      const limit = Math.min(Math.max(options.limit ?? 10, 1), MAX_OCCURRENCES);
      const from = new Date(Math.max(Date.parse(trigger.startAt), now.getTime()));
      const until = new Date(trigger.endAt);
      // One extra tells the console whether to say "and more".
      const found = nextOccurrences(trigger.cycle, { from, until, timezone, limit: limit + 1 });
      return ok({
        kind: 'recurring',
        occurrences: found.slice(0, limit).map((at) => zonedTime(at.getTime(), timezone)),
        moreAfter: found.length > limit,
        endAt: zonedTime(until.getTime(), timezone),
      });
    }
    case 'triggered':
    case 'triggered_not': {
      const errors: FieldError[] = [];
      const a = parseInstants(options.events?.a ?? [], 'events.a', errors);
      const b = parseInstants(options.events?.b ?? [], 'events.b', errors);
      if (errors.length > 0) return err(errors);
      return ok({
        kind: 'event',
        endAt: zonedTime(effectiveEndAt(trigger, timezone).getTime(), timezone),
        endAtDefaulted: trigger.endAt === undefined,
        events: previewEvents(trigger, a, b, timezone),
      });
    }
  }
}
