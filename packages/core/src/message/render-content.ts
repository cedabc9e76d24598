/**
 * Personalises a non-template content for one recipient (SPEC §5 step 7): every placeholder replaced,
 * and every field checked against its limit once rendered, because a value can make a text that was
 * valid when written too long for this recipient. All missing values are reported together.
 */
import { err, ok } from '../shared/result';
import type { Result } from '../shared/result';
import { httpUrlProblem } from './content-fields';
import { charCount } from './limits';
import { mapPersonalTexts } from './personal-texts';
import type { NonTemplateContent, PersonalField } from './personal-texts';
import { missingValuesFailure, renderText } from './placeholders';
import type { MessageRecipient } from './recipient';
import { renderFailure } from './render-failure';
import type { RenderFailure } from './render-failure';

/** Collects the outcome of rendering many fields, so one failure can name every missing value. */
export class RenderCollector {
  private readonly missing: string[] = [];
  private firstMissingPath: string | undefined;
  private readonly problems: RenderFailure[] = [];

  constructor(private readonly recipient: MessageRecipient) {}

  /** Renders one field; on failure records why and returns the text as written. */
  field(text: string, field: PersonalField): string {
    const rendered = renderText(text, this.recipient, field.kind === 'url' ? { encode: encodeURIComponent } : {});
    if (!rendered.ok) {
      if (rendered.error.code === 'missing_value') this.addMissing(rendered.error.missing, field.path);
      else this.problem({ ...rendered.error, path: field.path });
      return text;
    }
    const value = rendered.value;
    if (field.kind === 'url') {
      const problem = httpUrlProblem(value);
      if (problem) this.problem(renderFailure('invalid_value', `${field.path} ${problem} once personalised (got "${value}")`, { path: field.path }));
    } else if (field.max !== undefined) {
      const length = charCount(value);
      if (length > field.max) {
        this.problem(renderFailure('too_long', `${field.path} is ${length} characters once personalised, more than the ${field.max} allowed`, { path: field.path }));
      }
    }
    return value;
  }

  addMissing(keys: string[], path: string): void {
    this.missing.push(...keys);
    this.firstMissingPath ??= path;
  }

  problem(failure: RenderFailure): void {
    this.problems.push(failure);
  }

  /** `value` when every field rendered; otherwise the missing values first, then the first other problem. */
  finish<T>(value: T): Result<T, RenderFailure> {
    if (this.missing.length > 0) return err(missingValuesFailure(this.missing, this.recipient, this.firstMissingPath));
    const [first] = this.problems;
    return first ? err(first) : ok(value);
  }
}

function duplicateTitle(titles: string[]): string | undefined {
  const seen = new Set<string>();
  for (const title of titles) {
    if (seen.has(title)) return title;
    seen.add(title);
  }
  return undefined;
}

/** The content as this recipient will read it. */
export function renderContent(content: NonTemplateContent, recipient: MessageRecipient): Result<NonTemplateContent, RenderFailure> {
  const collector = new RenderCollector(recipient);
  const rendered = mapPersonalTexts(content, (text, field) => collector.field(text, field));
  if (rendered.type === 'buttons') {
    // Meta refuses two reply buttons with the same title; personalisation can make them equal.
    const duplicate = duplicateTitle(rendered.buttons.map((button) => button.title));
    if (duplicate !== undefined) {
      collector.problem(renderFailure('invalid_value', `two buttons have the title "${duplicate}" once personalised; titles must be unique`, { path: 'buttons' }));
    }
  }
  return collector.finish(rendered);
}
