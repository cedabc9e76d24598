/**
 * The variable slots of a template: everything that must be given a value at send time (NOTES §1.8).
 * Each slot has a stable key that bindings are keyed by and that errors name:
 *   `header.text`      the header text's variable (Meta allows one)
 *   `header.media`     an IMAGE / VIDEO / DOCUMENT header
 *   `header.location`  a LOCATION header
 *   `body.1`, `body.first_name`   body variables, positional or named
 *   `button.<index>`   a URL button's `{{1}}` suffix, or a COPY_CODE button's code (index 0-based)
 * Static URL buttons, quick replies and phone buttons need nothing at send time, so they have no slot.
 */
import { templateVariables } from './template-definition';
import type { TemplateComponent, TemplateParameterFormat } from './template-definition';

export type TemplateMediaFormat = 'image' | 'video' | 'document';

export type TemplateSlot =
  | {
      kind: 'header_text';
      key: 'header.text';
      /** `1` or `order_id`, as written between the braces. */
      variable: string;
      /** Set for NAMED templates: sent as `parameter_name`. */
      parameterName?: string;
    }
  | { kind: 'header_media'; key: 'header.media'; format: TemplateMediaFormat }
  | { kind: 'header_location'; key: 'header.location' }
  | { kind: 'body_text'; key: string; variable: string; parameterName?: string }
  | { kind: 'button_url'; key: string; buttonIndex: number; url: string }
  | { kind: 'button_coupon'; key: string; buttonIndex: number };

const isPositional = (variable: string): boolean => /^\d+$/.test(variable);

/** Named when Meta says so; otherwise named when any variable is not a number. */
export function isNamedTemplate(components: readonly TemplateComponent[], parameterFormat?: TemplateParameterFormat): boolean {
  if (parameterFormat) return parameterFormat === 'NAMED';
  return components.some((component) => {
    const text = component.type === 'HEADER' || component.type === 'BODY' ? component.text ?? '' : '';
    return templateVariables(text).some((variable) => !isPositional(variable));
  });
}

/** Positional variables go in number order (Meta fills `{{1}}, {{2}}...` by position); named ones as written. */
function orderVariables(variables: string[], named: boolean): string[] {
  return named ? variables : [...variables].sort((a, b) => Number(a) - Number(b));
}

/** Slots per components array: a broadcast renders one template for every recipient. */
const slotCache = new WeakMap<readonly TemplateComponent[], Map<TemplateParameterFormat | undefined, readonly TemplateSlot[]>>();

/** The template's variable slots, in order. The answer is shared between calls with the same components: read it, do not change it. */
export function parseTemplateSlots(components: readonly TemplateComponent[], parameterFormat?: TemplateParameterFormat): readonly TemplateSlot[] {
  let byFormat = slotCache.get(components);
  if (!byFormat) slotCache.set(components, (byFormat = new Map()));
  let slots = byFormat.get(parameterFormat);
  if (!slots) byFormat.set(parameterFormat, (slots = Object.freeze(computeSlots(components, parameterFormat))));
  return slots;
}

function computeSlots(components: readonly TemplateComponent[], parameterFormat?: TemplateParameterFormat): TemplateSlot[] {
  const named = isNamedTemplate(components, parameterFormat);
  const nameOf = (variable: string) => (named ? { parameterName: variable } : {});
  const slots: TemplateSlot[] = [];
  for (const component of components) {
    switch (component.type) {
      case 'HEADER': {
        if (component.format === 'TEXT') {
          const [variable] = templateVariables(component.text ?? '');
          if (variable !== undefined) slots.push({ kind: 'header_text', key: 'header.text', variable, ...nameOf(variable) });
        } else if (component.format === 'LOCATION') {
          slots.push({ kind: 'header_location', key: 'header.location' });
        } else {
          slots.push({ kind: 'header_media', key: 'header.media', format: component.format.toLowerCase() as TemplateMediaFormat });
        }
        break;
      }
      case 'BODY':
        for (const variable of orderVariables(templateVariables(component.text), named)) {
          slots.push({ kind: 'body_text', key: `body.${variable}`, variable, ...nameOf(variable) });
        }
        break;
      case 'BUTTONS':
        component.buttons.forEach((button, buttonIndex) => {
          if (button.type === 'URL' && button.url !== undefined && templateVariables(button.url).length > 0) {
            slots.push({ kind: 'button_url', key: `button.${buttonIndex}`, buttonIndex, url: button.url });
          } else if (button.type === 'COPY_CODE') {
            slots.push({ kind: 'button_coupon', key: `button.${buttonIndex}`, buttonIndex });
          }
        });
        break;
      case 'FOOTER':
        break;
    }
  }
  return slots;
}

/** How an operator reads a slot in an error: "body variable {{2}}", "URL suffix of button 1". */
export function describeSlot(slot: TemplateSlot): string {
  switch (slot.kind) {
    case 'header_text':
      return `header variable {{${slot.variable}}}`;
    case 'header_media':
      return `header ${slot.format}`;
    case 'header_location':
      return 'header location';
    case 'body_text':
      return `body variable {{${slot.variable}}}`;
    case 'button_url':
      return `URL suffix of button ${slot.buttonIndex}`;
    case 'button_coupon':
      return `coupon code of button ${slot.buttonIndex}`;
  }
}
