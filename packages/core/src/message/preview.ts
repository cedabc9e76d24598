/**
 * A render model of a message as WhatsApp shows it (header, body, footer, buttons or list), for the
 * console's phone preview and the sandbox's phone view. With a recipient, placeholders and template
 * variables are shown rendered; without one, as written (a template variable bound to profile data
 * shows the placeholder it stands for, e.g. `{{attr.city}}`).
 */
import type { MessageContent, MessageContentType, TemplateContent } from './content-schema';
import type { MessageRecipient } from './recipient';
import { renderContent } from './render-content';
import type { RenderFailure } from './render-failure';
import { bindingKey, renderTemplate } from './render-template';
import type { RenderedSlotValue } from './render-template';
import { substituteTemplateText } from './template-definition';

export type PreviewHeaderKind = 'text' | 'image' | 'video' | 'document' | 'location';
export type PreviewButtonKind = 'reply' | 'url' | 'quick_reply' | 'phone' | 'copy_code' | 'other';

export interface MessagePreview {
  type: MessageContentType;
  header?: {
    kind: PreviewHeaderKind;
    /** Header text; a document's file name; a location's name or address. */
    text?: string;
    /** A public media link. */
    mediaUrl?: string;
    /** An uploaded local file, for the console to show from its own storage. */
    mediaFileId?: string;
  };
  body: string;
  footer?: string;
  buttons?: Array<{ id?: string; title: string; kind: PreviewButtonKind; url?: string }>;
  list?: {
    button: string;
    sections: Array<{ title: string; rows: Array<{ id: string; title: string; description?: string }> }>;
  };
  /** Why rendering for the given recipient failed; the preview then shows the content as written. */
  failure?: RenderFailure;
}

const media = (source: { link?: string | undefined; mediaFileId?: string | undefined }) => ({
  ...(source.link === undefined ? {} : { mediaUrl: source.link }),
  ...(source.mediaFileId === undefined ? {} : { mediaFileId: source.mediaFileId }),
});

function previewOf(content: Exclude<MessageContent, { type: 'template' }>): MessagePreview {
  switch (content.type) {
    case 'text':
      return { type: 'text', body: content.body };
    case 'image':
    case 'video':
      return { type: content.type, header: { kind: content.type, ...media(content) }, body: content.caption ?? '' };
    case 'document':
      return {
        type: 'document',
        header: { kind: 'document', ...media(content), ...(content.filename === undefined ? {} : { text: content.filename }) },
        body: content.caption ?? '',
      };
    case 'cta_url':
    case 'buttons':
    case 'list': {
      const header = content.header
        ? { header: content.header.type === 'text' ? { kind: 'text' as const, text: content.header.text } : { kind: content.header.type, ...media(content.header) } }
        : {};
      const base = { type: content.type, ...header, body: content.body, ...(content.footer === undefined ? {} : { footer: content.footer }) };
      if (content.type === 'cta_url') return { ...base, buttons: [{ title: content.displayText, kind: 'url', url: content.url }] };
      if (content.type === 'buttons') return { ...base, buttons: content.buttons.map((b) => ({ id: b.id, title: b.title, kind: 'reply' as const })) };
      return { ...base, list: { button: content.button, sections: content.sections } };
    }
  }
}

const BUTTON_KINDS: Record<string, PreviewButtonKind> = {
  QUICK_REPLY: 'quick_reply',
  URL: 'url',
  PHONE_NUMBER: 'phone',
  COPY_CODE: 'copy_code',
};

/** Template slots as written: constants shown, profile bindings as their placeholder, media as linked. */
function writtenValues(content: TemplateContent): Record<string, RenderedSlotValue> {
  const values: Record<string, RenderedSlotValue> = {};
  for (const [key, binding] of Object.entries(content.bindings)) {
    if (binding.kind === 'media' || binding.kind === 'location') values[key] = binding;
    else if (binding.kind === 'constant') values[key] = { kind: 'text', text: binding.value };
    else values[key] = { kind: 'text', text: `{{${bindingKey(binding) ?? key}}}` };
  }
  return values;
}

function templatePreview(content: TemplateContent, values: Record<string, RenderedSlotValue>): MessagePreview {
  const text = (key: string): string | undefined => {
    const value = values[key];
    return value?.kind === 'text' ? value.text : undefined;
  };
  const preview: MessagePreview = { type: 'template', body: '' };
  for (const component of content.template.components) {
    switch (component.type) {
      case 'HEADER': {
        if (component.format === 'TEXT') {
          preview.header = { kind: 'text', text: substituteTemplateText(component.text ?? '', () => text('header.text')) };
        } else if (component.format === 'LOCATION') {
          const location = values['header.location'];
          const label = location?.kind === 'location' ? location.name ?? location.address : undefined;
          preview.header = { kind: 'location', ...(label === undefined ? {} : { text: label }) };
        } else {
          const source = values['header.media'];
          const kind = component.format === 'IMAGE' ? 'image' : component.format === 'VIDEO' ? 'video' : 'document';
          preview.header = { kind, ...(source?.kind === 'media' ? media(source) : {}) };
        }
        break;
      }
      case 'BODY':
        preview.body = substituteTemplateText(component.text, (variable) => text(`body.${variable}`));
        break;
      case 'FOOTER':
        preview.footer = component.text;
        break;
      case 'BUTTONS':
        preview.buttons = component.buttons.map((button, index) => {
          const url = button.url === undefined ? {} : { url: substituteTemplateText(button.url, () => text(`button.${index}`)) };
          return { title: button.text, kind: BUTTON_KINDS[button.type] ?? 'other', ...url };
        });
        break;
    }
  }
  return preview;
}

export function toPreview(content: MessageContent, recipient?: MessageRecipient): MessagePreview {
  if (content.type === 'template') {
    const written = writtenValues(content);
    if (!recipient) return templatePreview(content, written);
    const rendered = renderTemplate(content, recipient);
    return rendered.ok ? templatePreview(content, rendered.value.values) : { ...templatePreview(content, written), failure: rendered.error };
  }
  if (!recipient) return previewOf(content);
  const rendered = renderContent(content, recipient);
  return rendered.ok ? previewOf(rendered.value) : { ...previewOf(content), failure: rendered.error };
}
