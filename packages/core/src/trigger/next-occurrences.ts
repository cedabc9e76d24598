/**
 * Occurrences of a recurring cycle in the project timezone, and the run key of each occurrence.
 * DST follows wall-clock.ts: a time inside a spring-forward gap runs at the first instant after the
 * gap; a time repeated at fall-back runs once. A monthly day a month lacks (31 in April, 29 to 31 in
 * February) is skipped that month, never moved to the month's last day: "on the 31st" means the 31st.
 */
import type { RecurringCycle } from './cycle-schema';
import { isoWeekdaysToCron, nextCronRun, parseClockTime } from './wall-clock';

export const MAX_OCCURRENCES = 1000;

/** The 5-field cron pattern a cycle runs on, so every cycle kind shares croner's DST handling. */
export function cyclePattern(cycle: RecurringCycle): string {
  switch (cycle.kind) {
    case 'daily': {
      const { hour, minute } = parseClockTime(cycle.time);
      return `${minute} ${hour} * * *`;
    }
    case 'weekly': {
      const { hour, minute } = parseClockTime(cycle.time);
      return `${minute} ${hour} * * ${isoWeekdaysToCron(cycle.weekdays)}`;
    }
    case 'monthly': {
      const { hour, minute } = parseClockTime(cycle.time);
      const days = [...new Set(cycle.days)].sort((a, b) => a - b).join(',');
      return `${minute} ${hour} ${days} * *`;
    }
    case 'cron':
      return cycle.expression;
  }
}

export interface OccurrenceWindow {
  /** Inclusive: an occurrence exactly at `from` is returned. Pass last occurrence + 1 ms to continue. */
  from: Date;
  /** Inclusive: the recurring task's end time. Absent: only `limit` bounds the list. */
  until?: Date;
  timezone: string;
  /** At most this many (default 10, capped at MAX_OCCURRENCES). */
  limit?: number;
}

export function nextOccurrences(cycle: RecurringCycle, window: OccurrenceWindow): Date[] {
  const pattern = cyclePattern(cycle);
  const limit = Math.min(Math.max(window.limit ?? 10, 0), MAX_OCCURRENCES);
  const untilMs = window.until?.getTime() ?? Number.POSITIVE_INFINITY;
  const occurrences: Date[] = [];
  let cursor = window.from.getTime() - 1;
  while (occurrences.length < limit) {
    const next = nextCronRun(pattern, cursor, window.timezone);
    if (next === null || next > untilMs) break;
    occurrences.push(new Date(next));
    cursor = next;
  }
  return occurrences;
}

function compactUtc(at: Date): string {
  const iso = at.toISOString();
  const ms = iso.slice(20, 23);
  return `${iso.slice(0, 19).replace(/[-:]/g, '')}${ms === '000' ? '' : `.${ms}`}Z`;
}

/**
 * The deterministic key of one run of a task: the same task and occurrence always give the same key,
 * so a scheduler that fires twice (two workers, a restart) claims the same run and sends once.
 * A scheduled-once task's occurrence is its send time, even when it runs late after approval.
 * Example: `task_42:20250309T070000Z`.
 */
export function occurrenceId(taskId: string, occurrenceUtc: Date): string {
  return `${taskId}:${compactUtc(occurrenceUtc)}`;
}
