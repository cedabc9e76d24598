/**
 * Rules that relate the fields of a trigger. `triggerRuleErrors` holds for drafts too and checks only
 * what is present; `triggerSubmitErrors` needs a complete trigger and the time of submission.
 * Paths are relative to the trigger; callers pass the prefix (`trigger`).
 */
import type { FieldError } from '../shared/result';
import { nextOccurrences } from '../trigger/next-occurrences';
import { exceedsMaxDelay, MAX_DELAY_DAYS } from '../trigger/time-schemas';
import type { TaskTrigger } from '../trigger/trigger-schema';
import type { DraftOf } from './draft-schema';
import { fieldError } from './field-errors';

export type TriggerDraft = DraftOf<TaskTrigger>;

const ms = (iso: string | undefined): number | undefined => (iso === undefined ? undefined : Date.parse(iso));

export function triggerRuleErrors(trigger: TriggerDraft, prefix = 'trigger'): FieldError[] {
  const errors: FieldError[] = [];
  const add = (path: string, message: string) => errors.push(fieldError(prefix, path, message));
  switch (trigger.type) {
    case 'scheduled_once':
      break;
    case 'recurring': {
      const start = ms(trigger.startAt);
      const end = ms(trigger.endAt);
      if (start !== undefined && end !== undefined && end <= start) add('endAt', 'The end time must be after the start time');
      break;
    }
    case 'triggered':
    case 'triggered_not': {
      const start = ms(trigger.range?.start);
      const end = ms(trigger.range?.end);
      if (start !== undefined && end !== undefined && end <= start) {
        add('range.end', 'The event range must end after it starts');
      }
      const endAt = ms(trigger.endAt);
      if (endAt !== undefined && end !== undefined && endAt < end) {
        add('endAt', 'The task end time cannot be before the end of the event range');
      }
      const timing = trigger.timing;
      if (timing?.kind === 'delay' && timing.amount !== undefined && timing.unit !== undefined) {
        if (exceedsMaxDelay({ amount: timing.amount, unit: timing.unit })) {
          add('timing.amount', `A delay can be at most ${MAX_DELAY_DAYS} days`);
        }
      }
      if (trigger.type === 'triggered_not') {
        const window = trigger.window;
        if (window?.amount !== undefined && window.unit !== undefined && exceedsMaxDelay({ amount: window.amount, unit: window.unit })) {
          add('window.amount', `The window can be at most ${MAX_DELAY_DAYS} days`);
        }
      }
      break;
    }
  }
  return errors;
}

/** Submission rules: the task must still be able to send something after `now`. */
export function triggerSubmitErrors(trigger: TaskTrigger, now: Date, timezone: string, prefix = 'trigger'): FieldError[] {
  const errors: FieldError[] = [];
  const add = (path: string, message: string) => errors.push(fieldError(prefix, path, message));
  const nowMs = now.getTime();
  switch (trigger.type) {
    case 'scheduled_once':
      if (Date.parse(trigger.sendAt) <= nowMs) add('sendAt', 'The send time must be in the future');
      break;
    case 'recurring': {
      const end = Date.parse(trigger.endAt);
      if (end <= nowMs) {
        add('endAt', 'The end time must be in the future');
      } else if (end > Date.parse(trigger.startAt)) {
        const from = new Date(Math.max(Date.parse(trigger.startAt), nowMs + 1));
        if (nextOccurrences(trigger.cycle, { from, until: new Date(end), timezone, limit: 1 }).length === 0) {
          add('cycle', 'No occurrence of this cycle falls between now (or the start time) and the end time');
        }
      }
      break;
    }
    case 'triggered':
    case 'triggered_not':
      if (Date.parse(trigger.range.end) <= nowMs) add('range.end', 'The event range has already ended');
      break;
  }
  return errors;
}
