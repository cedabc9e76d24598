/** Rules that relate the steps of a task to each other (SPEC section 3). */
import type { FieldError } from '../shared/result';
import type { DraftOf } from './draft-schema';
import type { TaskDefinition } from './task-definition';
import { triggerRuleErrors } from './trigger-rules';

export type TaskDraft = DraftOf<TaskDefinition>;

/**
 * Decision: "only scheduled tasks may use CSV" admits both scheduled types. A recurring task with a
 * CSV audience sends to the same uploaded list at every occurrence (CSV lists are never refreshed).
 */
export const CSV_AUDIENCE_MESSAGE = 'A CSV audience can only be used with a scheduled trigger (once or recurring)';

/** Checks what is present; with `complete`, also what a submitted task must have. */
export function taskRuleErrors(task: TaskDraft, complete = false): FieldError[] {
  const errors: FieldError[] = [];
  const { audience, trigger, delivery } = task;
  const triggerType = trigger?.type;

  if (audience?.mode === 'csv') {
    if (triggerType === 'triggered' || triggerType === 'triggered_not') {
      errors.push({ path: 'audience.mode', message: CSV_AUDIENCE_MESSAGE });
    }
    if (audience.exclusion !== undefined) {
      errors.push({ path: 'audience.exclusion', message: 'Exclusion of other tasks is not offered with a CSV audience' });
    }
    if (complete && audience.csvUploadId === undefined) {
      errors.push({ path: 'audience.csvUploadId', message: 'Upload the CSV file of recipients' });
    }
  }

  if (delivery?.taskCap !== undefined && triggerType === 'scheduled_once') {
    errors.push({ path: 'delivery.taskCap', message: 'A task frequency cap applies only to recurring and triggered tasks' });
  }

  const dnd = delivery?.dnd;
  if (dnd?.start !== undefined && dnd.start === dnd.end) {
    errors.push({ path: 'delivery.dnd.end', message: 'The do-not-disturb period must end at a different time than it starts' });
  }

  if (trigger) errors.push(...triggerRuleErrors(trigger, 'trigger'));
  return errors;
}
