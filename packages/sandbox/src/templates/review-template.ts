/**
 * Template creation: the request shape is checked at once (Graph error 100, as Meta does for malformed
 * requests); the content rules Meta applies during review (NOTES 1.8 authoring limits, NOTES 6 variables)
 * decide later whether the template becomes APPROVED or REJECTED with reason INVALID_FORMAT.
 */
import { z } from 'zod';
import { fail, type MetaFailure } from '../graph/graph-error';
import { variablesOf, type TemplateButton, type TemplateComponent, type TemplateDraft } from './template-model';

const namedExample = z.object({ param_name: z.string(), example: z.string() });
const buttonSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('QUICK_REPLY'), text: z.string() }),
  z.object({ type: z.literal('URL'), text: z.string(), url: z.string(), example: z.array(z.string()).optional() }),
  z.object({ type: z.literal('PHONE_NUMBER'), text: z.string(), phone_number: z.string() }),
  z.object({ type: z.literal('COPY_CODE'), text: z.string().optional(), example: z.string() }),
]);
const componentSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('HEADER'),
    format: z.enum(['TEXT', 'IMAGE', 'VIDEO', 'DOCUMENT', 'LOCATION']),
    text: z.string().optional(),
    example: z
      .object({
        header_text: z.array(z.string()).optional(),
        header_text_named_params: z.array(namedExample).optional(),
        header_handle: z.array(z.string()).optional(),
      })
      .optional(),
  }),
  z.object({
    type: z.literal('BODY'),
    text: z.string(),
    example: z
      .object({ body_text: z.array(z.array(z.string())).optional(), body_text_named_params: z.array(namedExample).optional() })
      .optional(),
  }),
  z.object({ type: z.literal('FOOTER'), text: z.string() }),
  z.object({ type: z.literal('BUTTONS'), buttons: z.array(buttonSchema).min(1) }),
]);

const upper = (v: unknown): unknown => (typeof v === 'string' ? v.toUpperCase() : v);
const createSchema = z.object({
  name: z.string().min(1).max(512).regex(/^[a-z0-9_]+$/, 'name may contain only lower-case letters, digits and underscores'),
  language: z.string().min(2).max(15),
  category: z.preprocess(upper, z.enum(['MARKETING', 'UTILITY', 'AUTHENTICATION'])),
  parameter_format: z.preprocess(upper, z.enum(['POSITIONAL', 'NAMED'])).optional(),
  components: z.array(
    z.preprocess((c) => (c && typeof c === 'object' && 'type' in c ? { ...c, type: upper((c as { type: unknown }).type) } : c), componentSchema),
  ).min(1),
  allow_category_change: z.boolean().optional(),
});

export function parseTemplateCreate(body: unknown): { ok: true; draft: TemplateDraft } | { ok: false; failure: MetaFailure } {
  const parsed = createSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue ? issue.path.map(String).join('.') : '';
    return { ok: false, failure: fail(100, `Invalid parameter${path ? ` ${path}` : ''}: ${issue?.message ?? 'invalid'}`) };
  }
  const v = parsed.data;
  return {
    ok: true,
    draft: {
      name: v.name,
      language: v.language,
      category: v.category,
      parameter_format: v.parameter_format ?? 'POSITIONAL',
      components: v.components as TemplateComponent[],
    },
  };
}

function checkVariables(names: string[], format: TemplateDraft['parameter_format'], where: string): string | undefined {
  if (format === 'POSITIONAL') {
    const expected = names.map((_, i) => String(i + 1));
    if (names.some((n, i) => n !== expected[i])) return `${where}: positional variables must be {{1}}, {{2}}, ... in order`;
  } else {
    if (names.some((n) => !/^[a-z][a-z0-9_]*$/.test(n))) return `${where}: named variables must be lower-case letters, digits and underscores`;
    if (new Set(names).size !== names.length) return `${where}: named variables must be unique`;
  }
  return undefined;
}

function checkButtons(buttons: TemplateButton[]): string | undefined {
  if (buttons.length > 10) return 'at most 10 buttons';
  const kinds = buttons.map((b) => b.type);
  if (kinds.filter((k) => k === 'URL').length > 2) return 'at most 2 URL buttons';
  if (kinds.filter((k) => k === 'PHONE_NUMBER').length > 1) return 'at most 1 phone number button';
  if (kinds.filter((k) => k === 'COPY_CODE').length > 1) return 'at most 1 copy code button';
  const firstQr = kinds.indexOf('QUICK_REPLY');
  const lastQr = kinds.lastIndexOf('QUICK_REPLY');
  if (firstQr >= 0 && kinds.slice(firstQr, lastQr + 1).some((k) => k !== 'QUICK_REPLY')) return 'quick reply buttons must be grouped together';
  for (const b of buttons) {
    if (b.type === 'COPY_CODE') {
      if (b.example.length < 1 || b.example.length > 15) return 'copy code example must be 1-15 characters';
      continue;
    }
    if (b.text.length < 1 || b.text.length > 25) return `button label "${b.text}" must be 1-25 characters`;
    if (b.type === 'URL') {
      if (b.url.length > 2000 || !/^https?:\/\/\S+$/.test(b.url)) return 'URL button needs an http(s) URL of at most 2000 characters';
      const vars = variablesOf(b.url);
      if (vars.length > 1 || (vars.length === 1 && !/\{\{\s*1\s*\}\}$/.test(b.url))) return 'a URL button may hold one variable {{1}}, at its end';
      if (vars.length === 1 && !b.example?.length) return 'URL button variable needs an example';
    }
  }
  return undefined;
}

/** Why Meta's review would reject the draft, or undefined when it passes. */
export function reviewTemplate(draft: TemplateDraft): string | undefined {
  const format = draft.parameter_format;
  const bodies = draft.components.filter((c) => c.type === 'BODY');
  if (bodies.length !== 1) return 'exactly one BODY component is required';
  for (const type of ['HEADER', 'FOOTER', 'BUTTONS'] as const) {
    if (draft.components.filter((c) => c.type === type).length > 1) return `at most one ${type} component`;
  }
  for (const c of draft.components) {
    if (c.type === 'BODY') {
      const text = c.text.trim();
      if (text.length < 1 || c.text.length > 1024) return 'body must be 1-1024 characters';
      const vars = variablesOf(c.text);
      const problem = checkVariables(vars, format, 'body');
      if (problem) return problem;
      if (vars.length > 0) {
        if (/^\{\{[^}]+\}\}/.test(text) || /\{\{[^}]+\}\}$/.test(text)) return 'body may not start or end with a variable';
        const examples = format === 'POSITIONAL' ? c.example?.body_text?.[0]?.length ?? 0 : c.example?.body_text_named_params?.length ?? 0;
        if (examples !== vars.length) return 'body variables need one example each';
      }
    } else if (c.type === 'HEADER') {
      if (c.format === 'TEXT') {
        if (!c.text || c.text.length > 60) return 'text header must be 1-60 characters';
        const vars = variablesOf(c.text);
        if (vars.length > 1) return 'text header may hold at most one variable';
        const problem = checkVariables(vars, format, 'header');
        if (problem) return problem;
        const examples = format === 'POSITIONAL' ? c.example?.header_text?.length ?? 0 : c.example?.header_text_named_params?.length ?? 0;
        if (vars.length === 1 && examples !== 1) return 'header variable needs an example';
      } else if (c.format !== 'LOCATION' && !c.example?.header_handle?.length) {
        return `${c.format} header needs an example header_handle`;
      }
    } else if (c.type === 'FOOTER') {
      if (c.text.length < 1 || c.text.length > 60) return 'footer must be 1-60 characters';
      if (variablesOf(c.text).length > 0) return 'footer may not hold variables';
    } else {
      const problem = checkButtons(c.buttons);
      if (problem) return problem;
    }
  }
  return undefined;
}
