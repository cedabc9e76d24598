/**
 * Personalisation placeholders in free text: `{{attr.city}}`, `{{tag.level}}`, `{{id}}` (the one-ID),
 * `{{phone}}`, each with an optional quoted default: `{{attr.city | "there"}}`. Spaces inside the braces
 * are allowed. Anything else between `{{` and `}}` is a problem that `validateContent` reports, so a typo
 * never reaches a customer as literal braces.
 */
import { err, ok } from '../shared/result';
import type { Result } from '../shared/result';
import type { MessageRecipient } from './recipient';
import { renderFailure } from './render-failure';
import type { RenderFailure } from './render-failure';

export type PlaceholderSource = 'attr' | 'tag' | 'id' | 'phone';

export interface PlaceholderRef {
  source: PlaceholderSource;
  /** Attribute or tag name; absent for `id` and `phone`. */
  name?: string;
  default?: string;
  /** `attr.city`, `tag.level`, `id` or `phone`: how `RenderFailure.missing` names it. */
  key: string;
  /** The placeholder as written, braces included. */
  raw: string;
  /** Offsets of `raw` in the text (UTF-16 indices, `end` exclusive). */
  start: number;
  end: number;
}

export interface PlaceholderProblem {
  raw: string;
  start: number;
  message: string;
}

const USAGE = 'use {{attr.NAME}}, {{tag.NAME}}, {{id}} or {{phone}}, optionally with a default: {{attr.NAME | "text"}}';
const NAME = /^[^\s{}|"']+$/;

/** Offset just past the `}}` closing the placeholder opened at `start`, or -1 if it is not closed. */
function findClose(text: string, start: number): number {
  let quote: string | undefined;
  let afterPipe = false;
  for (let j = start + 2; j < text.length; j++) {
    const c = text[j];
    if (quote) {
      if (c === '\\') j += 1;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '|') afterPipe = true;
    else if (afterPipe && (c === '"' || c === "'")) quote = c;
    else if (c === '}' && text[j + 1] === '}') return j + 2;
    else if (c === '{' && text[j + 1] === '{') return -1;
  }
  return -1;
}

function parseQuoted(text: string): string | undefined {
  const quote = text[0];
  if ((quote !== '"' && quote !== "'") || text.length < 2 || text[text.length - 1] !== quote) return undefined;
  let out = '';
  for (let i = 1; i < text.length - 1; i++) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length - 1) {
      i += 1;
      out += text[i];
    } else if (c === quote) {
      return undefined;
    } else {
      out += c;
    }
  }
  return out;
}

type Parsed = { ref: Omit<PlaceholderRef, 'raw' | 'start' | 'end'> } | { problem: string };

function parseInner(inner: string, raw: string): Parsed {
  const pipe = inner.indexOf('|');
  const reference = (pipe === -1 ? inner : inner.slice(0, pipe)).trim();
  let fallback: string | undefined;
  if (pipe !== -1) {
    fallback = parseQuoted(inner.slice(pipe + 1).trim());
    if (fallback === undefined) {
      return { problem: `placeholder ${raw} has a default that is not a quoted text; write it like {{attr.city | "there"}}` };
    }
  }
  const withDefault = fallback === undefined ? {} : { default: fallback };
  if (reference === 'id' || reference === 'phone') {
    return { ref: { source: reference, key: reference, ...withDefault } };
  }
  const dot = reference.indexOf('.');
  const source = reference.slice(0, dot);
  const name = reference.slice(dot + 1);
  if (dot > 0 && (source === 'attr' || source === 'tag')) {
    if (!NAME.test(name)) return { problem: `placeholder ${raw} has no valid ${source === 'attr' ? 'attribute' : 'tag'} name` };
    return { ref: { source, name, key: `${source}.${name}`, ...withDefault } };
  }
  return { problem: `unknown placeholder ${raw}: ${USAGE}` };
}

/** Every placeholder of `text`, valid ones as references and invalid ones as problems, in text order. */
export function scanPlaceholders(text: string): { refs: PlaceholderRef[]; problems: PlaceholderProblem[] } {
  const refs: PlaceholderRef[] = [];
  const problems: PlaceholderProblem[] = [];
  let from = 0;
  for (let start = text.indexOf('{{', from); start !== -1; start = text.indexOf('{{', from)) {
    const end = findClose(text, start);
    if (end === -1) {
      problems.push({ raw: '{{', start, message: `has "{{" at position ${start} without a closing "}}"; ${USAGE}` });
      from = start + 2;
      continue;
    }
    const raw = text.slice(start, end);
    const parsed = parseInner(text.slice(start + 2, end - 2), raw);
    if ('ref' in parsed) refs.push({ ...parsed.ref, raw, start, end });
    else problems.push({ raw, start, message: parsed.problem });
    from = end;
  }
  return { refs, problems };
}

/** The profile data `text` refers to, so the server knows a content needs a profile before sending. */
export function parsePlaceholders(text: string): PlaceholderRef[] {
  return scanPlaceholders(text).refs;
}

function isoDate(date: Date): string | undefined {
  if (Number.isNaN(date.getTime())) return undefined;
  const iso = date.toISOString();
  const midnight = iso.endsWith('T00:00:00.000Z');
  return midnight ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/**
 * A profile value as text, or `undefined` when it counts as missing (so the default applies): null,
 * blank text, an empty list, a non-finite number, an invalid date. Numbers lose float noise (0.1 + 0.2 is
 * "0.3"), dates are ISO (`2025-03-01`, or `2025-03-01 14:05 UTC` when not at midnight UTC), lists are
 * joined with ", ", booleans are "true"/"false", other objects are JSON.
 */
export function formatValue(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value.trim() === '' ? undefined : value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(Number(value.toPrecision(15))) : undefined;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) return isoDate(value);
  if (Array.isArray(value)) {
    const items = value.map(formatValue).filter((item): item is string => item !== undefined);
    return items.length === 0 ? undefined : items.join(', ');
  }
  if (typeof value === 'object') return JSON.stringify(value);
  return undefined;
}

/** The recipient's value for a reference, formatted; `undefined` when it has none. */
export function resolveReference(
  ref: { source: PlaceholderSource; name?: string },
  recipient: MessageRecipient,
): string | undefined {
  switch (ref.source) {
    case 'id':
      return formatValue(recipient.oneId);
    case 'phone':
      return formatValue(recipient.phone);
    case 'attr':
      return ref.name === undefined ? undefined : formatValue(recipient.attributes[ref.name]);
    case 'tag':
      return ref.name === undefined ? undefined : formatValue(recipient.tags[ref.name]);
  }
}

/** Says which values are missing, and that the recipient has no profile when that is the cause. */
export function missingValuesFailure(missing: string[], recipient: MessageRecipient, path?: string): RenderFailure {
  const unique = [...new Set(missing)];
  const list = unique.join(', ');
  const reason =
    recipient.oneId === undefined && unique.some((key) => key !== 'phone')
      ? `recipient has no profile, and the content inserts ${list} without a default`
      : `no value for ${list}, and no default is given`;
  return renderFailure('missing_value', reason, { missing: unique, ...(path === undefined ? {} : { path }) });
}

export interface RenderTextOptions {
  /** Applied to every inserted value, e.g. `encodeURIComponent` inside a URL. */
  encode?: (value: string) => string;
}

/**
 * `text` with every placeholder replaced by the recipient's value, or its default. Fails when a value is
 * missing without a default (listing all of them), or when the text has an invalid placeholder.
 */
export function renderText(
  text: string,
  recipient: MessageRecipient,
  options: RenderTextOptions = {},
): Result<string, RenderFailure> {
  const { refs, problems } = scanPlaceholders(text);
  if (problems.length > 0) {
    return err(renderFailure('invalid_content', problems.map((p) => p.message).join('; ')));
  }
  const missing: string[] = [];
  let out = '';
  let last = 0;
  for (const ref of refs) {
    out += text.slice(last, ref.start);
    const value = resolveReference(ref, recipient) ?? ref.default;
    if (value === undefined) missing.push(ref.key);
    else out += options.encode ? options.encode(value) : value;
    last = ref.end;
  }
  out += text.slice(last);
  return missing.length > 0 ? err(missingValuesFailure(missing, recipient)) : ok(out);
}

/**
 * `text` with each placeholder replaced by its default, or by `filler` when it has none. Validation
 * measures this: a text that is too long even so is too long for every recipient without those values.
 */
export function renderWithDefaults(text: string, filler = ''): string {
  const { refs } = scanPlaceholders(text);
  let out = '';
  let last = 0;
  for (const ref of refs) {
    out += text.slice(last, ref.start) + (ref.default ?? filler);
    last = ref.end;
  }
  return out + text.slice(last);
}
