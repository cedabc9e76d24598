/**
 * Validation of a task for its two purposes. A draft may be incomplete: every present field is
 * checked, with the cross-field rules among present fields. Submission needs every field, then the
 * cross-field rules, then the rules that depend on the moment of submission (send time in the future,
 * a recurring cycle that still occurs before its end, an event range not yet over).
 * Uniqueness of the name needs the database and is the service's check.
 */
import type { z } from 'zod';
import type { FieldError, Result } from '../shared/result';
import { err, ok } from '../shared/result';
import type { TaskTrigger } from '../trigger/trigger-schema';
import { taskTriggerSchema } from '../trigger/trigger-schema';
import { assertTimezone } from '../trigger/wall-clock';
import { toDraftSchema } from './draft-schema';
import { zodFieldErrors } from './field-errors';
import type { TaskDefinition } from './task-definition';
import { taskDefinitionSchema } from './task-definition';
import type { TaskDraft } from './task-rules';
import { taskRuleErrors } from './task-rules';
import { triggerRuleErrors, triggerSubmitErrors } from './trigger-rules';

/** The draft twin of `taskDefinitionSchema`: every field optional, each present one fully checked. */
export const taskDraftSchema = toDraftSchema(taskDefinitionSchema) as z.ZodType<TaskDraft, unknown>;

export type ValidationPurpose = 'draft' | 'submit';

export interface ValidationContext {
  /** The moment of submission. */
  now: Date;
  /** The project's IANA timezone, in which cycles are evaluated. */
  timezone: string;
}

function uniqueErrors(errors: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.path}\u0000${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function validateDraft(input: unknown): Result<TaskDraft> {
  const parsed = taskDraftSchema.safeParse(input);
  if (!parsed.success) return err(zodFieldErrors(parsed.error));
  const errors = taskRuleErrors(parsed.data);
  return errors.length > 0 ? err(errors) : ok(parsed.data);
}

export function validateForSubmit(input: unknown, context: ValidationContext): Result<TaskDefinition> {
  assertTimezone(context.timezone);
  const parsed = taskDefinitionSchema.safeParse(input);
  if (!parsed.success) {
    // Report the cross-field problems among the fields present too, so one round trip shows them all.
    const draft = taskDraftSchema.safeParse(input);
    const related = draft.success ? taskRuleErrors(draft.data, true) : [];
    return err(uniqueErrors([...zodFieldErrors(parsed.error), ...related]));
  }
  const errors = taskRuleErrors(parsed.data, true);
  if (errors.length === 0) errors.push(...triggerSubmitErrors(parsed.data.trigger, context.now, context.timezone));
  return errors.length > 0 ? err(errors) : ok(parsed.data);
}

export function validateTask(input: unknown, options: ValidationContext & { purpose: 'draft' }): Result<TaskDraft>;
export function validateTask(input: unknown, options: ValidationContext & { purpose: 'submit' }): Result<TaskDefinition>;
export function validateTask(
  input: unknown,
  options: ValidationContext & { purpose: ValidationPurpose },
): Result<TaskDraft | TaskDefinition>;
export function validateTask(
  input: unknown,
  options: ValidationContext & { purpose: ValidationPurpose },
): Result<TaskDraft | TaskDefinition> {
  return options.purpose === 'draft' ? validateDraft(input) : validateForSubmit(input, options);
}

export interface TriggerValidationOptions {
  /** Prefix for error paths, e.g. `trigger` when the trigger sits in a request body under that key. */
  pathPrefix?: string;
  /** With `now` and `timezone`, the submission rules apply too ("send time in the future", …). */
  submission?: ValidationContext;
}

/** A complete trigger on its own, e.g. for the timing preview. */
export function validateTrigger(input: unknown, options: TriggerValidationOptions = {}): Result<TaskTrigger> {
  const prefix = options.pathPrefix ?? '';
  const parsed = taskTriggerSchema.safeParse(input);
  if (!parsed.success) return err(zodFieldErrors(parsed.error, prefix));
  const errors = triggerRuleErrors(parsed.data, prefix);
  const submission = options.submission;
  if (errors.length === 0 && submission) {
    assertTimezone(submission.timezone);
    errors.push(...triggerSubmitErrors(parsed.data, submission.now, submission.timezone, prefix));
  }
  return errors.length > 0 ? err(errors) : ok(parsed.data);
}
