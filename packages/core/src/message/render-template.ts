/**
 * Fills a template's slots for one recipient from the content's bindings, and checks what Meta checks
 * on the result: each parameter's own rules (`slotValueProblem`) and the hydrated header and body
 * lengths (error 132005 "hydrated text too long").
 */
import { err, ok } from '../shared/result';
import type { Result } from '../shared/result';
import type { TemplateContent } from './content-schema';
import { MESSAGE_LIMITS, charCount } from './limits';
import { resolveReference } from './placeholders';
import type { MessageRecipient } from './recipient';
import { RenderCollector } from './render-content';
import { renderFailure } from './render-failure';
import type { RenderFailure } from './render-failure';
import { describeSlot, parseTemplateSlots } from './template-slots';
import type { TemplateSlot } from './template-slots';
import { slotValueProblem } from './template-bindings';
import type { LocationBinding, MediaBinding, TextBinding } from './template-bindings';
import { substituteTemplateText } from './template-definition';

export type RenderedSlotValue = { kind: 'text'; text: string } | MediaBinding | LocationBinding;

export interface RenderedTemplate {
  slots: readonly TemplateSlot[];
  /** By slot key. */
  values: Record<string, RenderedSlotValue>;
}

/** The key a text binding's value is reported under when missing, in the placeholders' spelling. */
export function bindingKey(binding: TextBinding): string | undefined {
  switch (binding.kind) {
    case 'constant':
      return undefined;
    case 'attribute':
      return `attr.${binding.name}`;
    case 'tag':
      return `tag.${binding.name}`;
    case 'id':
    case 'phone':
      return binding.kind;
  }
}

function resolveBinding(binding: TextBinding, recipient: MessageRecipient): string | undefined {
  switch (binding.kind) {
    case 'constant':
      return binding.value;
    case 'attribute':
      return resolveReference({ source: 'attr', name: binding.name }, recipient) ?? binding.default;
    case 'tag':
      return resolveReference({ source: 'tag', name: binding.name }, recipient) ?? binding.default;
    case 'id':
      return resolveReference({ source: 'id' }, recipient);
    case 'phone':
      return resolveReference({ source: 'phone' }, recipient);
  }
}

/** The hydrated text of a HEADER or BODY component, and its limit, for the length check. */
function hydratedTexts(content: TemplateContent, values: Record<string, RenderedSlotValue>) {
  const text = (key: string): string | undefined => {
    const value = values[key];
    return value?.kind === 'text' ? value.text : undefined;
  };
  const checks: Array<{ path: string; text: string; max: number }> = [];
  for (const component of content.template.components) {
    if (component.type === 'HEADER' && component.format === 'TEXT' && component.text) {
      checks.push({ path: 'template.header', text: substituteTemplateText(component.text, () => text('header.text')), max: MESSAGE_LIMITS.templateHeaderText });
    } else if (component.type === 'BODY') {
      checks.push({ path: 'template.body', text: substituteTemplateText(component.text, (v) => text(`body.${v}`)), max: MESSAGE_LIMITS.templateBody });
    }
  }
  return checks;
}

export function renderTemplate(content: TemplateContent, recipient: MessageRecipient): Result<RenderedTemplate, RenderFailure> {
  const slots = parseTemplateSlots(content.template.components, content.template.parameterFormat);
  const collector = new RenderCollector(recipient);
  const values: Record<string, RenderedSlotValue> = {};
  for (const slot of slots) {
    const path = `bindings.${slot.key}`;
    const binding = content.bindings[slot.key];
    if (binding === undefined) {
      return err(renderFailure('invalid_content', `${describeSlot(slot)} has no binding`, { path }));
    }
    if (binding.kind === 'media' || binding.kind === 'location') {
      values[slot.key] = binding;
      continue;
    }
    const resolved = resolveBinding(binding, recipient);
    if (resolved === undefined) {
      collector.addMissing([bindingKey(binding) ?? slot.key], path);
      continue;
    }
    // A URL suffix from profile data is encoded; a constant is the operator's own path and kept as written.
    const value = slot.kind === 'button_url' && binding.kind !== 'constant' ? encodeURIComponent(resolved) : resolved;
    const problem = slotValueProblem(slot, value);
    if (problem) collector.problem(renderFailure(problem.code, `${describeSlot(slot)} ${problem.message} (got "${value}")`, { path }));
    values[slot.key] = { kind: 'text', text: value };
  }
  for (const check of hydratedTexts(content, values)) {
    const length = charCount(check.text);
    if (length > check.max) {
      collector.problem(renderFailure('too_long', `${check.path} is ${length} characters once personalised, more than the ${check.max} allowed`, { path: check.path }));
    }
  }
  return collector.finish({ slots, values });
}
