/**
 * The one walk over every personalisable text of a non-template content, with the limit that applies
 * to it. Rendering, finding the profile data a content refers to, and previews all go through it, so a
 * field added to a content kind is personalised, checked and previewed in one place.
 */
import type { InteractiveHeader, MessageContent } from './content-schema';
import { MESSAGE_LIMITS } from './limits';

export type NonTemplateContent = Exclude<MessageContent, { type: 'template' }>;

export interface PersonalField {
  /** Dot path of the field in the content, e.g. `sections.0.rows.2.title`. */
  path: string;
  /** Limit in characters once rendered; undefined for URLs, which are checked by parsing. */
  max?: number;
  /** `url` fields get their inserted values URL-encoded and must still be http(s) URLs once rendered. */
  kind: 'text' | 'url';
}

export type TextMapper = (text: string, field: PersonalField) => string;

const text = (path: string, max: number): PersonalField => ({ path, max, kind: 'text' });
const url = (path: string): PersonalField => ({ path, kind: 'url' });

/** `{ [key]: fn(value) }`, or nothing when the optional field is absent. */
function opt<K extends string>(key: K, value: string | undefined, field: PersonalField, fn: TextMapper): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: fn(value, field) } as Partial<Record<K, string>>);
}

function mapHeader(header: InteractiveHeader, fn: TextMapper): InteractiveHeader {
  if (header.type === 'text') return { ...header, text: fn(header.text, text('header.text', MESSAGE_LIMITS.headerText)) };
  return header.link === undefined ? header : { ...header, link: fn(header.link, url('header.link')) };
}

/** `content` with `fn` applied to each personalisable text; everything else (ids, flags) is kept. */
export function mapPersonalTexts(content: NonTemplateContent, fn: TextMapper): NonTemplateContent {
  switch (content.type) {
    case 'text':
      return { ...content, body: fn(content.body, text('body', MESSAGE_LIMITS.textBody)) };
    case 'image':
    case 'video':
    case 'document': {
      return {
        ...content,
        ...opt('link', content.link, url('link'), fn),
        ...opt('caption', content.caption, text('caption', MESSAGE_LIMITS.caption), fn),
        ...(content.type === 'document' ? opt('filename', content.filename, text('filename', MESSAGE_LIMITS.filename), fn) : {}),
      };
    }
    case 'cta_url':
      return {
        ...content,
        ...(content.header ? { header: mapHeader(content.header, fn) } : {}),
        body: fn(content.body, text('body', MESSAGE_LIMITS.interactiveBody)),
        ...opt('footer', content.footer, text('footer', MESSAGE_LIMITS.footer), fn),
        displayText: fn(content.displayText, text('displayText', MESSAGE_LIMITS.ctaDisplayText)),
        url: fn(content.url, url('url')),
      };
    case 'list':
      return {
        ...content,
        ...(content.header ? { header: { ...content.header, text: fn(content.header.text, text('header.text', MESSAGE_LIMITS.headerText)) } } : {}),
        body: fn(content.body, text('body', MESSAGE_LIMITS.listBody)),
        ...opt('footer', content.footer, text('footer', MESSAGE_LIMITS.footer), fn),
        button: fn(content.button, text('button', MESSAGE_LIMITS.listButton)),
        sections: content.sections.map((section, s) => ({
          ...section,
          title: fn(section.title, text(`sections.${s}.title`, MESSAGE_LIMITS.sectionTitle)),
          rows: section.rows.map((row, r) => ({
            ...row,
            title: fn(row.title, text(`sections.${s}.rows.${r}.title`, MESSAGE_LIMITS.rowTitle)),
            ...opt('description', row.description, text(`sections.${s}.rows.${r}.description`, MESSAGE_LIMITS.rowDescription), fn),
          })),
        })),
      };
    case 'buttons':
      return {
        ...content,
        ...(content.header ? { header: mapHeader(content.header, fn) } : {}),
        body: fn(content.body, text('body', MESSAGE_LIMITS.interactiveBody)),
        ...opt('footer', content.footer, text('footer', MESSAGE_LIMITS.footer), fn),
        buttons: content.buttons.map((button, index) => ({
          ...button,
          title: fn(button.title, text(`buttons.${index}.title`, MESSAGE_LIMITS.replyButtonTitle)),
        })),
      };
  }
}
