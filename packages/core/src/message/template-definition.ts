/**
 * A WhatsApp message template as synced from the WABA (`GET /{waba-id}/message_templates`, NOTES §6):
 * name, language, parameter format and components. A template content carries this snapshot, so building
 * and previewing a message need no lookup. Meta returns component types upper-case; lower-case (the
 * spelling of the creation API) is accepted and normalised. Unknown fields (`example`, `id`, `status`...)
 * are kept: this is Meta's data, not ours.
 */
import { z } from 'zod';

export const TEMPLATE_HEADER_FORMATS = ['TEXT', 'IMAGE', 'VIDEO', 'DOCUMENT', 'LOCATION'] as const;
export const TEMPLATE_PARAMETER_FORMATS = ['POSITIONAL', 'NAMED'] as const;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const upper = (value: unknown): unknown => (typeof value === 'string' ? value.toUpperCase() : value);

function normaliseComponent(input: unknown): unknown {
  if (!isRecord(input)) return input;
  const component: Record<string, unknown> = { ...input, type: upper(input.type) };
  if ('format' in input) component.format = upper(input.format);
  if (Array.isArray(input.buttons)) {
    component.buttons = input.buttons.map((button: unknown) =>
      isRecord(button) ? { ...button, type: upper(button.type) } : button,
    );
  }
  return component;
}

const headerComponentSchema = z
  .looseObject({
    type: z.literal('HEADER'),
    format: z.enum(TEMPLATE_HEADER_FORMATS, { error: `must be one of ${TEMPLATE_HEADER_FORMATS.join(', ')}` }),
    text: z.string().optional(),
  })
  .superRefine((header, ctx) => {
    if (header.format === 'TEXT' && !header.text) {
      ctx.addIssue({ code: 'custom', path: ['text'], message: 'is required for a TEXT header' });
    }
  });

const bodyComponentSchema = z.looseObject({ type: z.literal('BODY'), text: z.string() });
const footerComponentSchema = z.looseObject({ type: z.literal('FOOTER'), text: z.string() });

export const templateButtonSchema = z.looseObject({
  /** QUICK_REPLY, URL, PHONE_NUMBER, COPY_CODE, and others (FLOW, OTP...) passed through untouched. */
  type: z.string().min(1, 'must not be empty'),
  text: z.string(),
  url: z.string().optional(),
  phone_number: z.string().optional(),
});

const buttonsComponentSchema = z.looseObject({
  type: z.literal('BUTTONS'),
  buttons: z.array(templateButtonSchema).max(10, 'a template has at most 10 buttons'),
});

export const templateComponentSchema = z.preprocess(
  normaliseComponent,
  z.discriminatedUnion('type', [headerComponentSchema, bodyComponentSchema, footerComponentSchema, buttonsComponentSchema], {
    error: 'must be HEADER, BODY, FOOTER or BUTTONS (other component types, such as carousels, are not supported)',
  }),
);

export const templateDefinitionSchema = z
  .looseObject({
    name: z.string().min(1, 'must not be empty'),
    /** Meta's language code, e.g. `en_US`. */
    language: z.string().min(1, 'must not be empty'),
    /** Meta's `parameter_format`; when absent it is inferred from the variables (`{{1}}` or `{{name}}`). */
    parameterFormat: z.preprocess(upper, z.enum(TEMPLATE_PARAMETER_FORMATS)).optional(),
    components: z.array(templateComponentSchema),
  })
  .superRefine((template, ctx) => {
    const seen = new Set<string>();
    template.components.forEach((component, index) => {
      if (seen.has(component.type)) {
        ctx.addIssue({ code: 'custom', path: ['components', index, 'type'], message: `a template has only one ${component.type} component` });
      }
      seen.add(component.type);
    });
  });

export type TemplateDefinition = z.infer<typeof templateDefinitionSchema>;
export type TemplateComponent = z.infer<typeof templateComponentSchema>;
export type TemplateButton = z.infer<typeof templateButtonSchema>;
export type TemplateHeaderFormat = (typeof TEMPLATE_HEADER_FORMATS)[number];
export type TemplateParameterFormat = (typeof TEMPLATE_PARAMETER_FORMATS)[number];

const VARIABLE = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/** Distinct variable names of a template text (`1`, `2` or `first_name`), in order of first appearance. */
export function templateVariables(text: string): string[] {
  return [...new Set(Array.from(text.matchAll(VARIABLE), (match) => match[1] ?? ''))];
}

/** `text` with each `{{variable}}` replaced by `valueOf(variable)`, or left as it is when that is undefined. */
export function substituteTemplateText(text: string, valueOf: (variable: string) => string | undefined): string {
  return text.replace(VARIABLE, (whole, variable: string) => valueOf(variable) ?? whole);
}
