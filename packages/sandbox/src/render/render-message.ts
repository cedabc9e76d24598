/**
 * What a phone would show for a logged message: one render model for every kind (text, media, reply buttons,
 * list, cta_url, templates with their parameters substituted, the user's own replies), so the console's phone
 * view draws from data rather than re-implementing WhatsApp's payload rules. Computed on read, never on send.
 */
import { isRecord, type JsonRecord } from '../graph/payload-reader';
import type { LogEntry } from '../log/message-log';
import { bodyOf, buttonsOf, footerOf, headerOf, hydrate, type Template } from '../templates/template-model';

export interface RenderMedia {
  type: string;
  mediaId?: string;
  link?: string;
  /** Where the inbox can fetch uploaded media (relative to the sandbox's base URL). */
  url?: string;
  caption?: string;
  filename?: string;
}

export interface RenderButton {
  kind: 'reply' | 'quick_reply' | 'url' | 'phone_number' | 'copy_code' | 'cta_url';
  index: number;
  title: string;
  /** Reply-button id. */
  id?: string;
  /** Quick-reply payload that a tap sends back (the label when none was set). */
  payload?: string;
  url?: string;
  phoneNumber?: string;
  code?: string;
}

export interface RenderModel {
  kind:
    | 'text' | 'image' | 'video' | 'audio' | 'document' | 'sticker' | 'location' | 'contacts' | 'reaction'
    | 'interactive_button' | 'interactive_list' | 'interactive_cta_url' | 'template'
    | 'button_reply' | 'list_reply' | 'quick_reply' | 'unsupported';
  header?: { type: 'text'; text: string } | { type: 'media'; media: RenderMedia };
  body?: string;
  footer?: string;
  media?: RenderMedia;
  buttons?: RenderButton[];
  list?: { button: string; sections: Array<{ title?: string; rows: Array<{ id: string; title: string; description?: string }> }> };
  template?: {
    name: string;
    language: string;
    category?: string;
    found: boolean;
    parameters: { header: string[]; body: Array<{ name: string; value: string }>; buttons: Array<{ index: number; value: string }> };
  };
  location?: { latitude: number; longitude: number; name?: string; address?: string };
  contacts?: string[];
  reaction?: { messageId: string; emoji: string };
  /** One line for conversation lists. */
  preview: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const rec = (v: unknown): JsonRecord => (isRecord(v) ? v : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export function renderMedia(type: string, obj: JsonRecord): RenderMedia {
  const id = str(obj['id']);
  const link = str(obj['link']);
  const caption = str(obj['caption']);
  const filename = str(obj['filename']);
  return {
    type,
    ...(id ? { mediaId: id, url: `/api/v1/sandbox/media/${id}` } : {}),
    ...(link ? { link } : {}),
    ...(caption !== undefined ? { caption } : {}),
    ...(filename !== undefined ? { filename } : {}),
  };
}

function renderInteractive(i: JsonRecord): RenderModel {
  const type = str(i['type']);
  const header = rec(i['header']);
  const headerType = str(header['type']);
  const model: RenderModel = {
    kind: type === 'list' ? 'interactive_list' : type === 'cta_url' ? 'interactive_cta_url' : 'interactive_button',
    preview: str(rec(i['body'])['text']) ?? '',
  };
  if (headerType === 'text') model.header = { type: 'text', text: str(header['text']) ?? '' };
  else if (headerType) model.header = { type: 'media', media: renderMedia(headerType, rec(header[headerType])) };
  model.body = str(rec(i['body'])['text']) ?? '';
  const footer = str(rec(i['footer'])['text']);
  if (footer !== undefined) model.footer = footer;
  const action = rec(i['action']);
  if (type === 'button') {
    model.buttons = arr(action['buttons']).map((b, index) => {
      const reply = rec(rec(b)['reply']);
      return { kind: 'reply', index, id: str(reply['id']) ?? '', title: str(reply['title']) ?? '' };
    });
  } else if (type === 'list') {
    model.list = {
      button: str(action['button']) ?? '',
      sections: arr(action['sections']).map((s) => {
        const section = rec(s);
        const title = str(section['title']);
        return {
          ...(title !== undefined ? { title } : {}),
          rows: arr(section['rows']).map((r) => {
            const row = rec(r);
            const description = str(row['description']);
            return { id: str(row['id']) ?? '', title: str(row['title']) ?? '', ...(description !== undefined ? { description } : {}) };
          }),
        };
      }),
    };
  } else {
    const p = rec(action['parameters']);
    model.buttons = [{ kind: 'cta_url', index: 0, title: str(p['display_text']) ?? '', url: str(p['url']) ?? '' }];
  }
  return model;
}

function paramValue(p: JsonRecord): string {
  const type = str(p['type']);
  if (type === 'text') return str(p['text']) ?? '';
  if (type === 'currency' || type === 'date_time') return str(rec(p[type])['fallback_value']) ?? '';
  if (type === 'payload') return str(p['payload']) ?? '';
  if (type === 'coupon_code') return str(p['coupon_code']) ?? '';
  return '';
}

/** The quick-reply payload and label of a template button as sent (label when no payload was given). */
export function templateButtons(t: JsonRecord, template: Template | undefined): RenderButton[] {
  if (!template) return [];
  const sent = new Map<number, JsonRecord>();
  for (const c of arr(t['components'])) {
    const comp = rec(c);
    if (str(comp['type'])?.toLowerCase() === 'button') sent.set(Number(comp['index']), rec(arr(comp['parameters'])[0]));
  }
  return buttonsOf(template).map((b, index): RenderButton => {
    const param = sent.get(index);
    switch (b.type) {
      case 'QUICK_REPLY':
        return { kind: 'quick_reply', index, title: b.text, payload: param ? paramValue(param) : b.text };
      case 'URL':
        return { kind: 'url', index, title: b.text, url: hydrate(b.url, new Map([['1', param ? paramValue(param) : '']])) };
      case 'PHONE_NUMBER':
        return { kind: 'phone_number', index, title: b.text, phoneNumber: b.phone_number };
      case 'COPY_CODE':
        return { kind: 'copy_code', index, title: b.text ?? 'Copy code', code: param ? paramValue(param) : b.example };
    }
  });
}

function renderTemplate(t: JsonRecord, template: Template | undefined): RenderModel {
  const name = str(t['name']) ?? '';
  const language = str(rec(t['language'])['code']) ?? '';
  const components = arr(t['components']).map(rec);
  const paramsOf = (type: string): JsonRecord[] => arr(components.find((c) => str(c['type'])?.toLowerCase() === type)?.['parameters']).map(rec);
  const headerParams = paramsOf('header');
  const bodyParams = paramsOf('body');
  const named = template?.parameter_format === 'NAMED';
  const bodyValues = bodyParams.map((p, i) => ({ name: named ? str(p['parameter_name']) ?? String(i + 1) : String(i + 1), value: paramValue(p) }));
  const model: RenderModel = {
    kind: 'template',
    template: {
      name,
      language,
      ...(template ? { category: template.category } : {}),
      found: template !== undefined,
      parameters: {
        header: headerParams.map(paramValue),
        body: bodyValues,
        buttons: components
          .filter((c) => str(c['type'])?.toLowerCase() === 'button')
          .map((c) => ({ index: Number(c['index']), value: paramValue(rec(arr(c['parameters'])[0])) })),
      },
    },
    preview: '',
  };
  if (!template) {
    model.body = `[template ${name} (${language}) not found]`;
    model.preview = model.body;
    return model;
  }
  const header = headerOf(template);
  if (header?.format === 'TEXT' && header.text) {
    model.header = { type: 'text', text: hydrate(header.text, new Map([[named ? str(headerParams[0]?.['parameter_name']) ?? '1' : '1', paramValue(headerParams[0] ?? {})]])) };
  } else if (header && header.format !== 'LOCATION' && header.format !== 'TEXT') {
    const type = header.format.toLowerCase();
    model.header = { type: 'media', media: renderMedia(type, rec(headerParams[0]?.[type])) };
  }
  const body = bodyOf(template);
  model.body = body ? hydrate(body.text, new Map(bodyValues.map((v) => [v.name, v.value]))) : '';
  const footer = footerOf(template);
  if (footer) model.footer = footer.text;
  const buttons = templateButtons(t, template);
  if (buttons.length > 0) model.buttons = buttons;
  model.preview = model.body;
  return model;
}

function renderInbound(p: JsonRecord): RenderModel {
  const type = str(p['type']);
  if (type === 'text') {
    const body = str(rec(p['text'])['body']) ?? '';
    return { kind: 'text', body, preview: body };
  }
  if (type === 'button') {
    const text = str(rec(p['button'])['text']) ?? '';
    return { kind: 'quick_reply', body: text, preview: text };
  }
  if (type === 'interactive') {
    const i = rec(p['interactive']);
    const list = str(i['type']) === 'list_reply';
    const reply = rec(i[list ? 'list_reply' : 'button_reply']);
    const title = str(reply['title']) ?? '';
    return { kind: list ? 'list_reply' : 'button_reply', body: title, preview: title };
  }
  return { kind: 'unsupported', preview: `[${type ?? 'unknown'}]` };
}

export function renderEntry(entry: LogEntry, findTemplate: (name: string, language: string) => Template | undefined): RenderModel {
  const p = entry.payload;
  if (entry.direction === 'inbound') return renderInbound(p);
  switch (entry.type) {
    case 'text': {
      const body = str(rec(p['text'])['body']) ?? '';
      return { kind: 'text', body, preview: body };
    }
    case 'image':
    case 'video':
    case 'audio':
    case 'document':
    case 'sticker': {
      const media = renderMedia(entry.type, rec(p[entry.type]));
      return { kind: entry.type, media, preview: media.caption ?? `[${entry.type}]` };
    }
    case 'interactive':
      return renderInteractive(rec(p['interactive']));
    case 'template': {
      const t = rec(p['template']);
      return renderTemplate(t, findTemplate(str(t['name']) ?? '', str(rec(t['language'])['code']) ?? ''));
    }
    case 'location': {
      const l = rec(p['location']);
      const name = str(l['name']);
      const address = str(l['address']);
      return {
        kind: 'location',
        location: { latitude: Number(l['latitude']), longitude: Number(l['longitude']), ...(name ? { name } : {}), ...(address ? { address } : {}) },
        preview: name ?? '[location]',
      };
    }
    case 'contacts': {
      const names = arr(p['contacts']).map((c) => str(rec(rec(c)['name'])['formatted_name']) ?? '');
      return { kind: 'contacts', contacts: names, preview: names.join(', ') };
    }
    case 'reaction': {
      const r = rec(p['reaction']);
      const emoji = str(r['emoji']) ?? '';
      return { kind: 'reaction', reaction: { messageId: str(r['message_id']) ?? '', emoji }, preview: emoji };
    }
    default:
      return { kind: 'unsupported', preview: `[${entry.type}]` };
  }
}
