/**
 * A template send checked against the stored template, as Meta does (NOTES 1.8, error table in NOTES 4):
 * it must exist in that language and be APPROVED (132001, 132015, 132016); positional templates need exactly
 * one value per `{{n}}`, named ones a `parameter_name` for every variable (132000, 132012); media headers need
 * a media parameter of the header's format; URL buttons with a variable need the suffix; body values may not
 * hold newlines, tabs or more than four spaces in a row (132018); hydrated text must fit (132005).
 */
import { fail, type MetaFailure } from '../graph/graph-error';
import type { SendParameter, SendTemplate, SendTemplateComponent } from '../graph/validate-message';
import { bodyOf, buttonsOf, headerOf, hydrate, variablesOf, type Template } from './template-model';

export interface TemplateSendPlan {
  /** Pricing category, lower-case as in status webhooks. */
  category: string;
}

type Check = { ok: true; value: TemplateSendPlan } | { ok: false; failure: MetaFailure };

function parameterValue(p: SendParameter): string {
  return p.text ?? p.fallback ?? '';
}

/** Values by variable name; positional parameters are numbered from 1. */
function valuesFor(
  where: 'header' | 'body',
  vars: string[],
  params: SendParameter[],
  template: Template,
): { ok: true; values: Map<string, string> } | { ok: false; failure: MetaFailure } {
  const named = template.parameter_format === 'NAMED';
  if (params.length !== vars.length) {
    return {
      ok: false,
      failure: fail(132000, `${where}: number of localizable_params (${params.length}) does not match the expected number of params (${vars.length})`),
    };
  }
  const values = new Map<string, string>();
  for (const [i, p] of params.entries()) {
    if (p.type !== 'text' && p.type !== 'currency' && p.type !== 'date_time') {
      return { ok: false, failure: fail(132012, `${where}: parameter ${i} of type ${p.type} does not fit a text variable`) };
    }
    if (named && p.parameterName === undefined) {
      return { ok: false, failure: fail(132012, `${where}: template ${template.name} uses named parameters; parameter ${i} has no parameter_name`) };
    }
    if (!named && p.parameterName !== undefined) {
      return { ok: false, failure: fail(132012, `${where}: template ${template.name} uses positional parameters; parameter_name is not expected`) };
    }
    const value = parameterValue(p);
    if (where === 'body' && p.type === 'text' && (/[\n\t]/.test(value) || / {5,}/.test(value))) {
      return { ok: false, failure: fail(132018, `${where}: Param text cannot have new-line/tab characters or more than 4 consecutive spaces`) };
    }
    values.set(named ? p.parameterName! : String(i + 1), value);
  }
  if (named) {
    const missing = vars.filter((v) => !values.has(v));
    if (missing.length > 0) {
      return { ok: false, failure: fail(132000, `${where}: parameter_name ${missing.map((m) => `"${m}"`).join(', ')} missing; expected ${vars.join(', ')}`) };
    }
  }
  return { ok: true, values };
}

function single(components: SendTemplateComponent[], type: 'header' | 'body'): SendTemplateComponent | undefined | 'duplicate' {
  const found = components.filter((c) => c.type === type);
  if (found.length > 1) return 'duplicate';
  return found[0];
}

export function checkTemplateSend(send: SendTemplate, template: Template | undefined): Check {
  if (!template || template.status === 'PENDING' || template.status === 'REJECTED') {
    return { ok: false, failure: fail(132001, `template name (${send.name}) does not exist in ${send.languageCode}`) };
  }
  if (template.status === 'PAUSED') return { ok: false, failure: fail(132015, `template ${send.name} is paused`) };
  if (template.status === 'DISABLED') return { ok: false, failure: fail(132016, `template ${send.name} is disabled`) };

  const headerComponent = single(send.components, 'header');
  const bodyComponent = single(send.components, 'body');
  if (headerComponent === 'duplicate' || bodyComponent === 'duplicate') {
    return { ok: false, failure: fail(131009, 'Each of header and body may appear only once in template components') };
  }

  const header = headerOf(template);
  const headerParams = headerComponent?.parameters ?? [];
  if (!header || header.format === 'TEXT') {
    const r = valuesFor('header', variablesOf(header?.text), headerParams, template);
    if (!r.ok) return r;
    if (header?.text && hydrate(header.text, r.values).length > 60) {
      return { ok: false, failure: fail(132005, 'header: hydrated text is longer than 60 characters') };
    }
  } else if (header.format !== 'LOCATION') {
    const expected = header.format.toLowerCase();
    const p = headerParams[0];
    if (headerParams.length !== 1 || !p || p.type !== expected) {
      return {
        ok: false,
        failure: fail(132012, `header: Format mismatch, expected ${header.format}, received ${p ? p.type.toUpperCase() : 'UNKNOWN'}`),
      };
    }
  }

  const body = bodyOf(template);
  const bodyValues = valuesFor('body', variablesOf(body?.text), bodyComponent?.parameters ?? [], template);
  if (!bodyValues.ok) return bodyValues;
  if (body && hydrate(body.text, bodyValues.values).length > 1024) {
    return { ok: false, failure: fail(132005, 'body: hydrated text is longer than 1024 characters') };
  }

  const buttons = buttonsOf(template);
  const seen = new Set<number>();
  for (const c of send.components) {
    if (c.type !== 'button') continue;
    const index = c.index ?? -1;
    const button = buttons[index];
    const kind = button?.type === 'QUICK_REPLY' ? 'quick_reply' : button?.type === 'URL' ? 'url' : button?.type === 'COPY_CODE' ? 'copy_code' : undefined;
    if (!button || kind !== c.subType) {
      return { ok: false, failure: fail(131009, `button at index ${index} of type ${c.subType ?? '?'} does not exist in template ${template.name}`) };
    }
    if (seen.has(index)) return { ok: false, failure: fail(131009, `button at index ${index} appears more than once`) };
    seen.add(index);
    const p = c.parameters[0];
    if (button.type === 'QUICK_REPLY') {
      if (c.parameters.length > 1 || (p && p.type !== 'payload')) return { ok: false, failure: fail(132012, `button ${index}: quick reply takes one payload parameter`) };
    } else if (button.type === 'URL') {
      const expected = variablesOf(button.url).length;
      if (c.parameters.length !== expected) {
        return { ok: false, failure: fail(132000, `button ${index}: number of params (${c.parameters.length}) does not match the expected number of params (${expected})`) };
      }
      if (p && p.type !== 'text') return { ok: false, failure: fail(132012, `button ${index}: URL button takes a text parameter`) };
    } else if (button.type === 'COPY_CODE') {
      if (c.parameters.length !== 1 || p?.type !== 'coupon_code') return { ok: false, failure: fail(132000, `button ${index}: copy code button takes one coupon_code parameter`) };
    }
  }
  for (const [index, button] of buttons.entries()) {
    if (seen.has(index)) continue;
    if (button.type === 'URL' && variablesOf(button.url).length > 0) {
      return { ok: false, failure: fail(132000, `button ${index}: number of params (0) does not match the expected number of params (1)`) };
    }
    if (button.type === 'COPY_CODE') return { ok: false, failure: fail(132000, `button ${index}: copy code button needs a coupon_code parameter`) };
  }
  return { ok: true, value: { category: template.category.toLowerCase() } };
}
