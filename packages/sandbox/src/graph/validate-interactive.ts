/**
 * Interactive messages: reply buttons, lists and cta_url, with the limits of NOTES 1.5–1.9. The ones most often
 * gotten wrong are enforced exactly: list bodies 4096 but button/cta_url bodies 1024, list rows ≤10 in TOTAL
 * across sections, list headers text-only. Breaking a WhatsApp rule is code 131009 (parameter value not valid).
 */
import { fail } from './graph-error';
import { arrayAt, isHttpUrl, isRecord, objectAt, optionalObject, optionalString, refuse, stringAt, type JsonRecord } from './payload-reader';
import { mediaRef, type MediaRef, type MediaType } from './media-ref';

const LIMIT = { code: 131009 } as const;

function validateHeader(interactive: JsonRecord, kind: string, media: Array<{ kind: MediaType; ref: MediaRef }>): void {
  const header = optionalObject(interactive, 'header', "interactive['header']");
  if (!header) return;
  const type = stringAt(header, 'type', "interactive['header']['type']", 16);
  if (type === 'text') {
    stringAt(header, 'text', "interactive['header']['text']", 60, LIMIT);
    return;
  }
  if (kind === 'list') refuse(fail(131009, 'A list message header must be of type text.'));
  if (type !== 'image' && type !== 'video' && type !== 'document') {
    refuse(fail(131009, "interactive['header']['type'] must be one of {text, image, video, document}."));
  }
  media.push({ kind: type, ref: mediaRef(objectAt(header, type, `interactive['header']['${type}']`), `interactive['header']['${type}']`) });
}

function validateButtons(action: JsonRecord): void {
  const buttons = arrayAt(action, 'buttons', "interactive['action']['buttons']");
  if (buttons.length < 1 || buttons.length > 3) refuse(fail(131009, 'Reply buttons count invalid. Min: 1, Max: 3'));
  const ids = new Set<string>();
  const titles = new Set<string>();
  buttons.forEach((b, i) => {
    const path = `interactive['action']['buttons'][${i}]`;
    if (!isRecord(b)) refuse(fail(100, `Param ${path} must be a JSON object.`));
    if (b['type'] !== 'reply') refuse(fail(131009, `${path}['type'] must be 'reply'.`));
    const reply = objectAt(b, 'reply', `${path}['reply']`);
    const id = stringAt(reply, 'id', `${path}['reply']['id']`, 256, LIMIT);
    const title = stringAt(reply, 'title', `${path}['reply']['title']`, 20, LIMIT);
    if (id !== id.trim()) refuse(fail(131009, `${path}['reply']['id'] may not have leading or trailing spaces.`));
    if (title.trim() === '') refuse(fail(131009, `${path}['reply']['title'] may not be blank.`));
    if (ids.has(id)) refuse(fail(131009, `Button ids must be unique: "${id}" repeats.`));
    if (titles.has(title)) refuse(fail(131009, `Button titles must be unique: "${title}" repeats.`));
    ids.add(id);
    titles.add(title);
  });
}

function validateList(action: JsonRecord): void {
  stringAt(action, 'button', "interactive['action']['button']", 20, LIMIT);
  const sections = arrayAt(action, 'sections', "interactive['action']['sections']");
  if (sections.length < 1 || sections.length > 10) refuse(fail(131009, 'List sections count invalid. Min: 1, Max: 10'));
  const ids = new Set<string>();
  let rows = 0;
  sections.forEach((s, i) => {
    const path = `interactive['action']['sections'][${i}]`;
    if (!isRecord(s)) refuse(fail(100, `Param ${path} must be a JSON object.`));
    const title = optionalString(s, 'title', `${path}['title']`, 24, LIMIT);
    if (title === undefined && sections.length > 1) refuse(fail(131008, `The parameter ${path}['title'] is required when there is more than one section.`));
    const sectionRows = arrayAt(s, 'rows', `${path}['rows']`);
    if (sectionRows.length < 1) refuse(fail(131009, `${path}['rows'] must hold at least one row.`));
    sectionRows.forEach((r, j) => {
      const rowPath = `${path}['rows'][${j}]`;
      if (!isRecord(r)) refuse(fail(100, `Param ${rowPath} must be a JSON object.`));
      const id = stringAt(r, 'id', `${rowPath}['id']`, 200, LIMIT);
      stringAt(r, 'title', `${rowPath}['title']`, 24, LIMIT);
      optionalString(r, 'description', `${rowPath}['description']`, 72, { min: 0, code: 131009 });
      if (ids.has(id)) refuse(fail(131009, `List row ids must be unique: "${id}" repeats.`));
      ids.add(id);
    });
    rows += sectionRows.length;
  });
  if (rows > 10) refuse(fail(131009, `List rows count invalid: ${rows}. A list holds at most 10 rows across all sections.`));
}

function validateCtaUrl(action: JsonRecord): void {
  if (action['name'] !== 'cta_url') refuse(fail(131009, "interactive['action']['name'] must be 'cta_url'."));
  const parameters = objectAt(action, 'parameters', "interactive['action']['parameters']");
  stringAt(parameters, 'display_text', "interactive['action']['parameters']['display_text']", 20, LIMIT);
  const url = stringAt(parameters, 'url', "interactive['action']['parameters']['url']", 2000, LIMIT);
  if (!isHttpUrl(url)) refuse(fail(131009, "interactive['action']['parameters']['url'] must be an http or https URL."));
}

export function validateInteractive(interactive: JsonRecord, media: Array<{ kind: MediaType; ref: MediaRef }>): void {
  const kind = stringAt(interactive, 'type', "interactive['type']", 32);
  if (kind !== 'button' && kind !== 'list' && kind !== 'cta_url') {
    refuse(fail(131009, `interactive['type'] "${kind}" is not supported by the sandbox (button, list, cta_url).`));
  }
  validateHeader(interactive, kind, media);
  const body = objectAt(interactive, 'body', "interactive['body']");
  stringAt(body, 'text', "interactive['body']['text']", kind === 'list' ? 4096 : 1024, LIMIT);
  const footer = optionalObject(interactive, 'footer', "interactive['footer']");
  if (footer) stringAt(footer, 'text', "interactive['footer']['text']", 60, LIMIT);
  const action = objectAt(interactive, 'action', "interactive['action']");
  if (kind === 'button') validateButtons(action);
  else if (kind === 'list') validateList(action);
  else validateCtaUrl(action);
}
