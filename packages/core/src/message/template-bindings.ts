/**
 * What each template slot is filled with (SPEC step 5: "variables bound to constants, attributes, tags or
 * the ID"), and the check that a set of bindings fits a template: every slot bound, with the right kind of
 * binding, and nothing bound that the template does not have.
 */
import { z } from 'zod';
import { err, ok } from '../shared/result';
import type { FieldError, Result } from '../shared/result';
import { checkOneMediaSource, httpUrl } from './content-fields';
import { MESSAGE_LIMITS, charCount, tooLongMessage } from './limits';
import type { TemplateDefinition } from './template-definition';
import { describeSlot, parseTemplateSlots } from './template-slots';
import type { TemplateSlot } from './template-slots';

const name = z.string({ error: 'is required' }).trim().min(1, 'must not be empty');

export const textBindingOptions = [
  z.strictObject({ kind: z.literal('constant'), value: z.string({ error: 'is required' }) }),
  z.strictObject({ kind: z.literal('attribute'), name, default: z.string().optional() }),
  z.strictObject({ kind: z.literal('tag'), name, default: z.string().optional() }),
  z.strictObject({ kind: z.literal('id') }),
  z.strictObject({ kind: z.literal('phone') }),
] as const;

export const mediaBindingSchema = z
  .strictObject({
    kind: z.literal('media'),
    link: httpUrl({ placeholders: false }).optional(),
    mediaFileId: z.string().trim().min(1, 'must not be empty').optional(),
  })
  .superRefine(checkOneMediaSource);

export const locationBindingSchema = z.strictObject({
  kind: z.literal('location'),
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
  name: z.string().optional(),
  address: z.string().optional(),
});

export const templateBindingSchema = z.discriminatedUnion(
  'kind',
  [...textBindingOptions, mediaBindingSchema, locationBindingSchema],
  { error: 'must be one of constant, attribute, tag, id, phone, media, location' },
);

export type TemplateBinding = z.infer<typeof templateBindingSchema>;
export type TextBinding = Extract<TemplateBinding, { kind: 'constant' | 'attribute' | 'tag' | 'id' | 'phone' }>;
export type MediaBinding = z.infer<typeof mediaBindingSchema>;
export type LocationBinding = z.infer<typeof locationBindingSchema>;
export type TemplateBindings = Record<string, TemplateBinding>;

export interface SlotValueProblem {
  code: 'too_long' | 'invalid_value';
  message: string;
}

/**
 * Why a text value cannot fill `slot`, or undefined. Meta refuses empty parameters and, in header and
 * body parameters, new lines, tabs and more than four spaces in a row; it caps a coupon code at 15 and a
 * URL at 2000 characters. Used on constants and defaults here, and on every rendered value at send time.
 */
export function slotValueProblem(slot: TemplateSlot, value: string): SlotValueProblem | undefined {
  if (value.trim() === '') return { code: 'invalid_value', message: 'must not be empty' };
  switch (slot.kind) {
    case 'header_text':
    case 'body_text':
      if (/[\n\r\t]/.test(value)) {
        return { code: 'invalid_value', message: 'must not contain new lines or tabs (WhatsApp refuses them in template parameters)' };
      }
      if (/ {5}/.test(value)) {
        return { code: 'invalid_value', message: 'must not contain more than 4 spaces in a row (WhatsApp refuses them in template parameters)' };
      }
      return undefined;
    case 'button_coupon': {
      const length = charCount(value);
      return length > MESSAGE_LIMITS.couponCode ? { code: 'too_long', message: tooLongMessage(MESSAGE_LIMITS.couponCode, length) } : undefined;
    }
    case 'button_url': {
      const length = charCount(slot.url.replace(/\{\{[^}]*\}\}/, value));
      return length > MESSAGE_LIMITS.templateUrl
        ? { code: 'too_long', message: `makes the button URL ${length} characters long, more than ${MESSAGE_LIMITS.templateUrl}` }
        : undefined;
    }
    case 'header_media':
    case 'header_location':
      return undefined;
  }
}

function bindingProblem(slot: TemplateSlot, binding: TemplateBinding): { field?: string; message: string } | undefined {
  const wanted = describeSlot(slot);
  switch (slot.kind) {
    case 'header_media':
      return binding.kind === 'media' ? undefined : { field: 'kind', message: `${wanted} must be bound to media (kind "media" with a link or a mediaFileId)` };
    case 'header_location':
      return binding.kind === 'location' ? undefined : { field: 'kind', message: `${wanted} must be bound to a location (kind "location")` };
    default:
      break;
  }
  switch (binding.kind) {
    case 'media':
    case 'location':
      return { field: 'kind', message: `${wanted} takes a text: bind it to a constant, an attribute, a tag, the id or the phone` };
    case 'constant': {
      const problem = slotValueProblem(slot, binding.value);
      return problem ? { field: 'value', message: problem.message } : undefined;
    }
    case 'attribute':
    case 'tag': {
      const problem = binding.default === undefined ? undefined : slotValueProblem(slot, binding.default);
      return problem ? { field: 'default', message: problem.message } : undefined;
    }
    case 'id':
    case 'phone':
      return undefined;
  }
}

/**
 * Checks `bindings` against the template's slots. Paths are `<prefix>.<slot key>` (e.g. `bindings.body.2`).
 * Returns the slots when every one is bound correctly and no binding is left over.
 */
export function validateTemplateBindings(
  template: Pick<TemplateDefinition, 'components' | 'parameterFormat'>,
  bindings: TemplateBindings,
  prefix = 'bindings',
): Result<readonly TemplateSlot[]> {
  const slots = parseTemplateSlots(template.components, template.parameterFormat);
  const errors: FieldError[] = [];
  const keys = new Set(slots.map((slot) => slot.key));
  for (const slot of slots) {
    const binding = bindings[slot.key];
    if (binding === undefined) {
      errors.push({ path: `${prefix}.${slot.key}`, message: `${describeSlot(slot)} has no binding` });
      continue;
    }
    const problem = bindingProblem(slot, binding);
    if (problem) {
      errors.push({ path: `${prefix}.${slot.key}${problem.field ? `.${problem.field}` : ''}`, message: problem.message });
    }
  }
  for (const key of Object.keys(bindings)) {
    if (!keys.has(key)) {
      const known = slots.length === 0 ? 'it has no variables' : `its slots are ${[...keys].join(', ')}`;
      errors.push({ path: `${prefix}.${key}`, message: `the template has no slot ${key} (${known})` });
    }
  }
  return errors.length > 0 ? err(errors) : ok(slots);
}
