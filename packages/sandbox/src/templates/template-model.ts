/**
 * Message templates as Meta returns them from `GET /{waba-id}/message_templates` (NOTES 6): component types
 * upper-case, positional `{{1}}` or named `{{first_name}}` variables, examples beside the text.
 */
export type TemplateStatus = 'APPROVED' | 'PENDING' | 'REJECTED' | 'PAUSED' | 'DISABLED';
export type TemplateCategory = 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';
export type ParameterFormat = 'POSITIONAL' | 'NAMED';

export type TemplateButton =
  | { type: 'QUICK_REPLY'; text: string }
  | { type: 'URL'; text: string; url: string; example?: string[] }
  | { type: 'PHONE_NUMBER'; text: string; phone_number: string }
  | { type: 'COPY_CODE'; text?: string; example: string };

export type TemplateComponent =
  | {
      type: 'HEADER';
      format: 'TEXT' | 'IMAGE' | 'VIDEO' | 'DOCUMENT' | 'LOCATION';
      text?: string;
      example?: { header_text?: string[]; header_text_named_params?: NamedExample[]; header_handle?: string[] };
    }
  | { type: 'BODY'; text: string; example?: { body_text?: string[][]; body_text_named_params?: NamedExample[] } }
  | { type: 'FOOTER'; text: string }
  | { type: 'BUTTONS'; buttons: TemplateButton[] };

export interface NamedExample {
  param_name: string;
  example: string;
}

export interface Template {
  id: string;
  name: string;
  language: string;
  status: TemplateStatus;
  category: TemplateCategory;
  parameter_format: ParameterFormat;
  components: TemplateComponent[];
  rejected_reason?: string;
  quality_score: { score: 'GREEN' | 'YELLOW' | 'RED' | 'UNKNOWN'; date: number };
}

/** Template definition without the fields the sandbox assigns. */
export type TemplateDraft = Omit<Template, 'id' | 'status' | 'quality_score' | 'rejected_reason'>;

const VARIABLE = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/** Variable names in order of appearance (`'1'`, `'2'` for positional templates). */
export function variablesOf(text: string | undefined): string[] {
  if (!text) return [];
  const out: string[] = [];
  for (const m of text.matchAll(VARIABLE)) out.push(m[1] ?? '');
  return out;
}

/** Replaces each variable by its value; unknown variables stay as written. */
export function hydrate(text: string, values: ReadonlyMap<string, string>): string {
  return text.replace(VARIABLE, (whole, name: string) => values.get(name) ?? whole);
}

export function headerOf(t: Pick<Template, 'components'>): Extract<TemplateComponent, { type: 'HEADER' }> | undefined {
  return t.components.find((c): c is Extract<TemplateComponent, { type: 'HEADER' }> => c.type === 'HEADER');
}

export function bodyOf(t: Pick<Template, 'components'>): Extract<TemplateComponent, { type: 'BODY' }> | undefined {
  return t.components.find((c): c is Extract<TemplateComponent, { type: 'BODY' }> => c.type === 'BODY');
}

export function footerOf(t: Pick<Template, 'components'>): Extract<TemplateComponent, { type: 'FOOTER' }> | undefined {
  return t.components.find((c): c is Extract<TemplateComponent, { type: 'FOOTER' }> => c.type === 'FOOTER');
}

export function buttonsOf(t: Pick<Template, 'components'>): TemplateButton[] {
  const c = t.components.find((x): x is Extract<TemplateComponent, { type: 'BUTTONS' }> => x.type === 'BUTTONS');
  return c ? c.buttons : [];
}
