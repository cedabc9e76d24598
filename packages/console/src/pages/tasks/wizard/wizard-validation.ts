/**
 * Inline validation of the wizard, step by step, with the same core rules the server applies
 * (`validateTask`, `validateTrigger`, `parseAudienceRule`, `validateContent`), so what the wizard accepts
 * the server accepts, and errors name the same paths the server's errors do.
 */
import { parseAudienceRule, validateContent, validateTask, validateTrigger } from '@wareach/core';
import type { FieldError } from '@wareach/core';
import { STEP_PATHS, toRequestBody, type StepKey, type WizardValues } from './wizard-model';

export type PathErrors = Record<string, string>;

export interface ValidationContext {
  now: Date;
  timezone: string;
}

const belongs = (path: string, prefixes: string[]) => prefixes.some((p) => path === p || path.startsWith(`${p}.`));

function toMap(errors: FieldError[]): PathErrors {
  const out: PathErrors = {};
  for (const e of errors) if (!(e.path in out)) out[e.path] = e.message;
  return out;
}

/** Every problem of the whole task, as the server would report them on submission. */
export function validateAll(values: WizardValues, ctx: ValidationContext): FieldError[] {
  const body = toRequestBody(values);
  const errors: FieldError[] = [];
  const task = validateTask(body, { purpose: 'submit', now: ctx.now, timezone: ctx.timezone });
  if (!task.ok) errors.push(...task.error);
  if (body.trigger && typeof body.trigger === 'object') {
    const trig = validateTrigger(body.trigger, { pathPrefix: 'trigger', submission: ctx });
    if (!trig.ok) errors.push(...trig.error);
  }
  if (body.audience?.mode === 'rule' && body.audience.rule) {
    const rule = parseAudienceRule(body.audience.rule, 'audience.rule');
    if (!rule.ok) errors.push(...rule.error);
  }
  if (body.delivery?.content) {
    const content = validateContent(body.delivery.content);
    if (!content.ok) errors.push(...content.error.map((e) => ({ path: e.path ? `delivery.content.${e.path}` : 'delivery.content', message: e.message })));
  }
  return errors;
}

/** The problems of one step only: the operator fixes them before moving on. */
export function validateStep(step: StepKey, values: WizardValues, ctx: ValidationContext): PathErrors {
  if (step === 'summary') return toMap(validateAll(values, ctx));
  return toMap(validateAll(values, ctx).filter((e) => belongs(e.path, STEP_PATHS[step])));
}

/** The first step holding an error, to jump to when submission is refused. */
export function firstStepWithError(errors: PathErrors): StepKey | undefined {
  const order: StepKey[] = ['channel', 'basic', 'audience', 'trigger', 'delivery'];
  return order.find((s) => Object.keys(errors).some((p) => belongs(p, STEP_PATHS[s])));
}
