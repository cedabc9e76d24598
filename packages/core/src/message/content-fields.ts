/**
 * zod building blocks shared by the content and template schemas: texts that may be personalised,
 * identifiers that may not, http(s) URLs, and a media source (a public link or an uploaded local file).
 * Messages say what is wrong in the words an operator reads next to the field.
 */
import { z } from 'zod';
import { charCount, tooLongMessage } from './limits';
import { renderWithDefaults, scanPlaceholders } from './placeholders';

const requiredString = () =>
  z.string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a text') });

/** The length suffix when a text is measured with its placeholders at their defaults. */
function measuredSuffix(text: string, measured: string): string {
  return measured === text ? '' : ', with its placeholders at their defaults or empty';
}

/**
 * A text that may hold personalisation placeholders. Its length is checked with each placeholder at its
 * default (or empty): the rendered text is checked again per recipient when the message is built.
 */
export function personalText(max: number) {
  return requiredString().superRefine((text, ctx) => {
    for (const problem of scanPlaceholders(text).problems) ctx.addIssue({ code: 'custom', message: problem.message });
    if (text.trim() === '') {
      ctx.addIssue({ code: 'custom', message: 'must not be empty' });
      return;
    }
    const measured = renderWithDefaults(text);
    const length = charCount(measured);
    if (length > max) ctx.addIssue({ code: 'custom', message: tooLongMessage(max, length, measuredSuffix(text, measured)) });
  });
}

/**
 * An identifier we get back in webhooks (reply button id, list row id): never personalised, not blank,
 * no surrounding spaces (Meta refuses them on reply ids).
 */
export function plainId(max: number) {
  return requiredString().superRefine((text, ctx) => {
    if (text.trim() === '') ctx.addIssue({ code: 'custom', message: 'must not be empty' });
    else if (text.trim() !== text) ctx.addIssue({ code: 'custom', message: 'must not start or end with spaces' });
    if (text.includes('{{')) ctx.addIssue({ code: 'custom', message: 'must not contain placeholders: it is an identifier' });
    const length = charCount(text);
    if (length > max) ctx.addIssue({ code: 'custom', message: tooLongMessage(max, length) });
  });
}

/** Why `url` is not an absolute http(s) URL, or undefined when it is. */
export function httpUrlProblem(url: string): string | undefined {
  if (!/^https?:\/\//i.test(url)) return 'must be an http:// or https:// URL';
  try {
    const parsed = new URL(url);
    if (parsed.hostname === '') return 'must be an http:// or https:// URL with a host';
  } catch {
    return 'must be a valid URL';
  }
  return undefined;
}

/**
 * An http(s) URL. With `placeholders`, values may be inserted (they are URL-encoded when rendered), but
 * the scheme must be written out, so the link's destination never comes from profile data alone.
 */
export function httpUrl(options: { placeholders: boolean }) {
  return requiredString().superRefine((url, ctx) => {
    if (options.placeholders) {
      for (const problem of scanPlaceholders(url).problems) ctx.addIssue({ code: 'custom', message: problem.message });
    } else if (url.includes('{{')) {
      ctx.addIssue({ code: 'custom', message: 'must not contain placeholders' });
    }
    const problem = httpUrlProblem(options.placeholders ? renderWithDefaults(url, 'x') : url);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
}

/**
 * Where media comes from: a public `link`, or `mediaFileId`, a wareach-side id of an uploaded local file
 * that the server resolves to the channel's Meta media id at send time. Exactly one of the two.
 */
export const mediaSourceShape = {
  link: httpUrl({ placeholders: true }).optional(),
  mediaFileId: z.string().trim().min(1, 'must not be empty').optional(),
};

export function checkOneMediaSource(
  value: { link?: string | undefined; mediaFileId?: string | undefined },
  ctx: z.RefinementCtx,
): void {
  if (value.link === undefined && value.mediaFileId === undefined) {
    ctx.addIssue({ code: 'custom', path: ['link'], message: 'is required: give a link or a mediaFileId' });
  } else if (value.link !== undefined && value.mediaFileId !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['mediaFileId'], message: 'give a link or a mediaFileId, not both' });
  }
}

/** An array size check with a message that counts, e.g. "must have at most 3 buttons (got 4)". */
export function countBetween(min: number, max: number, noun: { one: string; many: string }) {
  const count = (n: number) => `${n} ${n === 1 ? noun.one : noun.many}`;
  return (items: readonly unknown[], ctx: z.RefinementCtx): void => {
    if (items.length < min) ctx.addIssue({ code: 'custom', message: `must have at least ${count(min)} (got ${items.length})` });
    if (items.length > max) ctx.addIssue({ code: 'custom', message: `must have at most ${count(max)} (got ${items.length})` });
  };
}
