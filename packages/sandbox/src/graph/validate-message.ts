/**
 * Validation of `POST /{phone-number-id}/messages` bodies, written from Meta's send-messages reference and
 * the limits in NOTES 1.1–1.10. Hand-written rather than schema-driven because it runs on every request of
 * a >10k msg/s benchmark and must name Meta's error code for each rule. Only the first problem is reported,
 * as Meta does.
 */
import { fail } from './graph-error';
import {
  arrayAt,
  collect,
  isHttpUrl,
  isRecord,
  objectAt,
  optionalObject,
  optionalString,
  refuse,
  required,
  stringAt,
  type JsonRecord,
} from './payload-reader';
import { validateInteractive } from './validate-interactive';
import { mediaRef, type MediaRef, type MediaType } from './media-ref';

export type { MediaRef, MediaType } from './media-ref';

export const MESSAGE_TYPES = [
  'text', 'image', 'video', 'audio', 'document', 'sticker', 'interactive', 'template', 'location', 'contacts', 'reaction',
] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];
/** Canonical type strings, so a million logged messages share eight strings instead of holding a copy each. */
const MESSAGE_TYPE_BY_NAME = new Map<string, MessageType>(MESSAGE_TYPES.map((t) => [t, t]));
export interface SendParameter {
  type: string;
  text?: string;
  parameterName?: string;
  payload?: string;
  couponCode?: string;
  media?: MediaRef;
  /** What a currency/date_time parameter renders as. */
  fallback?: string;
}

export interface SendTemplateComponent {
  type: 'header' | 'body' | 'button';
  subType?: string;
  index?: number;
  parameters: SendParameter[];
}

export interface SendTemplate {
  name: string;
  languageCode: string;
  components: SendTemplateComponent[];
}

export type SendRequest =
  | { kind: 'mark_read'; messageId: string }
  | {
      kind: 'message';
      type: MessageType;
      to: string;
      bizOpaque?: string;
      contextId?: string;
      payload: JsonRecord;
      template?: SendTemplate;
      /** Media objects referenced by id or link, with the media kind they must be. */
      media: Array<{ kind: MediaType; ref: MediaRef }>;
    };

function validateMedia(kind: MediaType, obj: JsonRecord, media: Array<{ kind: MediaType; ref: MediaRef }>): void {
  media.push({ kind, ref: mediaRef(obj, kind) });
  if (kind === 'image' || kind === 'video' || kind === 'document') {
    optionalString(obj, 'caption', `${kind}['caption']`, 1024, { min: 0 });
  } else if (obj['caption'] !== undefined) {
    refuse(fail(131009, `${kind} messages do not support a caption.`));
  }
  if (kind === 'document') optionalString(obj, 'filename', "document['filename']", 240);
  else if (obj['filename'] !== undefined) refuse(fail(131009, `Only document messages support a filename.`));
}

function parameterOf(raw: unknown, path: string, media: Array<{ kind: MediaType; ref: MediaRef }>): SendParameter {
  if (!isRecord(raw)) refuse(fail(100, `Param ${path} must be a JSON object.`));
  const type = stringAt(raw, 'type', `${path}['type']`, 32);
  const p: SendParameter = { type };
  const name = optionalString(raw, 'parameter_name', `${path}['parameter_name']`, 64);
  if (name !== undefined) {
    if (!/^[a-z0-9_]+$/.test(name)) refuse(fail(131009, `${path}['parameter_name'] must be lower-case letters, digits and underscores.`));
    p.parameterName = name;
  }
  switch (type) {
    case 'text':
      p.text = stringAt(raw, 'text', `${path}['text']`, 32768, { min: 0 });
      break;
    case 'currency': {
      const c = objectAt(raw, 'currency', `${path}['currency']`);
      p.fallback = stringAt(c, 'fallback_value', `${path}['currency']['fallback_value']`, 1024);
      stringAt(c, 'code', `${path}['currency']['code']`, 3, { min: 3 });
      if (!Number.isInteger(required(c, 'amount_1000', `${path}['currency']['amount_1000']`))) {
        refuse(fail(100, `Param ${path}['currency']['amount_1000'] must be an integer.`));
      }
      break;
    }
    case 'date_time':
      p.fallback = stringAt(objectAt(raw, 'date_time', `${path}['date_time']`), 'fallback_value', `${path}['date_time']['fallback_value']`, 1024);
      break;
    case 'image':
    case 'video':
    case 'document': {
      const ref = mediaRef(objectAt(raw, type, `${path}['${type}']`), `${path}['${type}']`);
      media.push({ kind: type, ref });
      p.media = ref;
      break;
    }
    case 'payload':
      p.payload = stringAt(raw, 'payload', `${path}['payload']`, 1000, { min: 0 });
      break;
    case 'coupon_code':
      p.couponCode = stringAt(raw, 'coupon_code', `${path}['coupon_code']`, 15, { code: 131009 });
      break;
    default:
      refuse(fail(131009, `${path}['type'] "${type}" is not a supported parameter type.`));
  }
  return p;
}

function validateTemplate(obj: JsonRecord, media: Array<{ kind: MediaType; ref: MediaRef }>): SendTemplate {
  const name = stringAt(obj, 'name', "template['name']", 512);
  const language = objectAt(obj, 'language', "template['language']");
  const languageCode = stringAt(language, 'code', "template['language']['code']", 15);
  const policy = language['policy'];
  if (policy !== undefined && policy !== 'deterministic') refuse(fail(100, "Param template['language']['policy'] must be 'deterministic'."));
  const components: SendTemplateComponent[] = [];
  const rawComponents = obj['components'] === undefined ? [] : arrayAt(obj, 'components', "template['components']");
  rawComponents.forEach((raw, i) => {
    const path = `template['components'][${i}]`;
    if (!isRecord(raw)) refuse(fail(100, `Param ${path} must be a JSON object.`));
    const type = stringAt(raw, 'type', `${path}['type']`, 16).toLowerCase();
    if (type !== 'header' && type !== 'body' && type !== 'button') refuse(fail(100, `Param ${path}['type'] must be one of {header, body, button}.`));
    const parameters = (raw['parameters'] === undefined ? [] : arrayAt(raw, 'parameters', `${path}['parameters']`)).map((p, j) =>
      parameterOf(p, `${path}['parameters'][${j}]`, media),
    );
    const component: SendTemplateComponent = { type, parameters };
    if (type === 'button') {
      component.subType = stringAt(raw, 'sub_type', `${path}['sub_type']`, 32).toLowerCase();
      const index = required(raw, 'index', `${path}['index']`);
      const n = typeof index === 'string' && /^\d+$/.test(index) ? Number(index) : index;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 9) refuse(fail(100, `Param ${path}['index'] must be an integer from 0 to 9.`));
      component.index = n;
    }
    components.push(component);
  });
  return { name, languageCode, components };
}

function validateOthers(type: 'location' | 'contacts' | 'reaction', payload: JsonRecord): void {
  if (type === 'location') {
    const loc = objectAt(payload, 'location', 'location');
    for (const key of ['latitude', 'longitude'] as const) {
      const v = Number(required(loc, key, `location['${key}']`));
      const limit = key === 'latitude' ? 90 : 180;
      if (!Number.isFinite(v) || Math.abs(v) > limit) refuse(fail(131009, `location['${key}'] is out of range.`));
    }
    optionalString(loc, 'name', "location['name']", 1000);
    optionalString(loc, 'address', "location['address']", 1000);
  } else if (type === 'contacts') {
    const contacts = arrayAt(payload, 'contacts', 'contacts');
    if (contacts.length < 1) refuse(fail(131008, 'The parameter contacts must hold at least one contact.'));
    contacts.forEach((c, i) => {
      if (!isRecord(c)) refuse(fail(100, `Param contacts[${i}] must be a JSON object.`));
      stringAt(objectAt(c, 'name', `contacts[${i}]['name']`), 'formatted_name', `contacts[${i}]['name']['formatted_name']`, 1000);
    });
  } else {
    const reaction = objectAt(payload, 'reaction', 'reaction');
    stringAt(reaction, 'message_id', "reaction['message_id']", 200);
    optionalString(reaction, 'emoji', "reaction['emoji']", 10, { min: 0 });
  }
}

function validate(body: unknown): SendRequest {
  if (!isRecord(body)) refuse(fail(100, 'The request body must be a JSON object.'));
  const product = body['messaging_product'];
  if (product === undefined) refuse(fail(100, 'The parameter messaging_product is required.'));
  if (product !== 'whatsapp') refuse(fail(100, "Param messaging_product must be 'whatsapp'."));
  if (body['status'] !== undefined) {
    if (body['status'] !== 'read') refuse(fail(100, "Param status must be 'read'."));
    return { kind: 'mark_read', messageId: stringAt(body, 'message_id', 'message_id', 200) };
  }
  const recipientType = body['recipient_type'];
  if (recipientType !== undefined && recipientType !== 'individual') {
    refuse(recipientType === 'group'
      ? fail(131009, 'Group messaging is not available on this phone number.')
      : fail(100, "Param recipient_type must be one of {individual, group}."));
  }
  const to = stringAt(body, 'to', 'to', 64);
  const rawType = body['type'] ?? 'text';
  const type = typeof rawType === 'string' ? MESSAGE_TYPE_BY_NAME.get(rawType) : undefined;
  if (type === undefined) refuse(fail(100, `Param type must be one of {${MESSAGE_TYPES.join(', ')}}.`));
  const bizOpaque = optionalString(body, 'biz_opaque_callback_data', 'biz_opaque_callback_data', 512);
  const context = optionalObject(body, 'context', 'context');
  const contextId = context ? stringAt(context, 'message_id', "context['message_id']", 200) : undefined;
  const media: Array<{ kind: MediaType; ref: MediaRef }> = [];
  let template: SendTemplate | undefined;
  switch (type) {
    case 'text': {
      const text = objectAt(body, 'text', 'text');
      stringAt(text, 'body', "text['body']", 4096);
      const preview = text['preview_url'];
      if (preview !== undefined && typeof preview !== 'boolean') refuse(fail(100, "Param text['preview_url'] must be a boolean."));
      break;
    }
    case 'image':
    case 'video':
    case 'audio':
    case 'document':
    case 'sticker':
      validateMedia(type, objectAt(body, type, type), media);
      break;
    case 'interactive':
      validateInteractive(objectAt(body, 'interactive', 'interactive'), media);
      break;
    case 'template':
      template = validateTemplate(objectAt(body, 'template', 'template'), media);
      break;
    default:
      validateOthers(type, body);
  }
  return {
    kind: 'message',
    type,
    to,
    payload: body,
    media,
    ...(bizOpaque !== undefined ? { bizOpaque } : {}),
    ...(contextId !== undefined ? { contextId } : {}),
    ...(template ? { template } : {}),
  };
}

export function validateSendRequest(body: unknown): ReturnType<typeof collect<SendRequest>> {
  return collect(() => validate(body));
}
