/**
 * Meta's WhatsApp OpenAPI file (business-messaging-api_v23.0.yaml, kept unmodified beside this file) as a
 * JSON Schema 2020-12 validator, for tests: the sandbox checks the webhooks it emits, and the WhatsApp client
 * checks the message payloads it builds. The file does not validate its own examples (see README.md here), so
 * the schemas are patched in memory first. Every patch is listed in META_SCHEMA_PATCHES with the reason; each
 * one either fixes a plain defect or adds something Meta documents elsewhere (NOTES.md section given).
 * Patches relax nothing Meta enforces, except where noted.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export const META_YAML_PATH = join(dirname(fileURLToPath(import.meta.url)), 'business-messaging-api_v23.0.yaml');
const SCHEMA_ID = 'https://wareach.local/meta/business-messaging-api_v23.0.json';

export interface MetaSchemaPatch {
  id: string;
  side: 'send' | 'webhook';
  description: string;
}

/** What was changed in Meta's schemas before validating, and why. Kept in the same order as the code below. */
export const META_SCHEMA_PATCHES: readonly MetaSchemaPatch[] = [
  { id: 'send-allof-additional-properties', side: 'send', description:
    'Each Message variant is allOf[BaseMessageProperties, {additionalProperties:false, ...}]; additionalProperties ' +
    'cannot see the envelope fields declared in the other allOf branch, so messaging_product/to/type were all ' +
    'rejected. Moved the strictness to unevaluatedProperties:false on the variant (2020-12), which keeps unknown ' +
    'top-level fields rejected while accepting the envelope.' },
  { id: 'send-envelope-fields', side: 'send', description:
    'BaseMessageProperties lacks biz_opaque_callback_data (documented send field, echoed in status webhooks; added, ' +
    '≤512 chars), and marks recipient_type and type required although Meta defaults them to "individual" (NOTES 1.1) ' +
    'and "text" (send-messages reference); both made optional, a payload without type is checked as text.' },
  { id: 'send-message-dispatch', side: 'send', description:
    'Message is a oneOf over eleven variants, so one mistake is reported eleven times; replaced with if/then ' +
    'dispatch on type to the same variant schemas (same acceptance, readable errors).' },
  { id: 'send-text-body', side: 'send', description:
    'TextMessage.text declares no required body and no length; applied TextMessage_1 (body required, ≤4096, NOTES 1.3).' },
  { id: 'send-location-coordinates', side: 'send', description:
    'LocationMessage types latitude/longitude as strings while its own examples and Meta\'s docs send numbers; ' +
    'either a number or a numeric string is accepted.' },
  { id: 'send-language-policy', side: 'send', description:
    'LanguageObject marks policy required; Meta\'s own examples send only {code} (NOTES 1.8). policy made optional.' },
  { id: 'send-button-index', side: 'send', description:
    'Template button index pattern "^[2-6, 11-14]$" is garbage (rejects "0"); index is the 0-based button position ' +
    'as integer or numeric string 0–9 (NOTES 1.8).' },
  { id: 'send-template-dispatch', side: 'send', description:
    'TemplateComponent, ParameterObject and ButtonParameterObject use discriminator without oneOf, so the ' +
    'per-type schemas (HeaderComponent, TextParameter, ...) were never applied; added if/then dispatch on type.' },
  { id: 'send-copy-code', side: 'send', description:
    'Added button sub_type copy_code with a coupon_code parameter (≤15 chars), documented in coupon-templates (NOTES 1.8).' },
  { id: 'send-parameter-name', side: 'send', description:
    'Named templates send parameter_name on each text/currency/date_time parameter (NOTES 1.8); declared it ' +
    '(lower-case letters, digits, underscore).' },
  { id: 'send-cta-url', side: 'send', description:
    'Added interactive type cta_url and its action {name:"cta_url", parameters:{display_text ≤20, url}} (NOTES 1.5).' },
  { id: 'send-interactive-limits', side: 'send', description:
    'BodyObject caps every interactive body at 1024 but list bodies allow 4096 (NOTES 1.9): BodyObject raised to ' +
    '4096 and 1024 re-imposed for button and cta_url; list headers limited to type text.' },
  { id: 'send-location-header', side: 'send', description:
    'Location templates send the header parameter {type:"location", location:{latitude, longitude, name?, address?}} ' +
    '(Meta doc templates/utility-templates/location-templates); ParameterObject has no location type. Added it.' },
  { id: 'webhook-inbound-refs', side: 'webhook', description:
    'IncomingMessage refers to the OUTBOUND schemas (TextMessage, ImageMessage, ...) instead of the inbound ones ' +
    '(TextMessage_2, ImageMessage_1, ...); replaced its oneOf with if/then dispatch on type to the inbound schemas.' },
  { id: 'webhook-inbound-base', side: 'webhook', description:
    'Inbound message schemas extend the outbound BaseMessageProperties (requires to/recipient_type); pointed them ' +
    'at BaseMessageProperties_1 (from, id, timestamp).' },
  { id: 'webhook-context', side: 'webhook', description:
    'ContextObject requires referred_product, which only product inquiries carry; quoted replies carry {from, id} ' +
    'and forwarded messages {forwarded} (NOTES 3.5). Nothing required.' },
  { id: 'webhook-interactive-reply', side: 'webhook', description:
    'InteractiveMessageReply.interactive uses discriminator without oneOf; added if/then dispatch to list_reply / ' +
    'button_reply. list_reply.description made optional: it is absent when the row had none.' },
  { id: 'webhook-unsupported-errors', side: 'webhook', description:
    'UnsupportedMessage.errors items use the Graph ErrorObject (requires type) while its own example carries ' +
    'status-style errors {code,title,message,error_data}; pointed them at StatusError.' },
  { id: 'webhook-status-played', side: 'webhook', description:
    'Statuses.status enum lacks "played" (voice messages, NOTES 3.4); added.' },
];

function schemas(doc: JsonObject): JsonObject {
  const components = doc['components'] as JsonObject;
  return components['schemas'] as JsonObject;
}

function get(root: JsonObject, name: string): JsonObject {
  const schema = root[name];
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) throw new Error(`meta schema ${name} missing`);
  return schema;
}

function ref(name: string): JsonObject {
  return { $ref: `#/components/schemas/${name}` };
}

/** if/then chain: when `type` equals a key, the value must also satisfy the mapped schema. */
function dispatchOnType(mapping: Record<string, string>): Json[] {
  return Object.entries(mapping).map(([type, target]) => ({
    if: { properties: { type: { const: type } }, required: ['type'] },
    then: ref(target),
  }));
}

function allOfPart(schema: JsonObject, index: number): JsonObject {
  const parts = schema['allOf'] as JsonObject[];
  const part = parts[index];
  if (!part) throw new Error('allOf part missing');
  return part;
}

function patchSendSide(s: JsonObject): void {
  const variants: Record<string, string> = {
    text: 'TextMessage', audio: 'AudioMessage', document: 'DocumentMessage', image: 'ImageMessage',
    location: 'LocationMessage', video: 'VideoMessage', sticker: 'StickerMessage', reaction: 'ReactionMessage',
    interactive: 'InteractiveMessage', template: 'TemplateMessage', contacts: 'ContactsMessage',
  };
  // oneOf over eleven variants reports eleven failures for one mistake; dispatching on type reports the one that matters.
  // Meta: "type — optional, defaults to text", so a payload without type is checked as a text message.
  s['Message'] = {
    type: 'object',
    properties: { type: { enum: Object.keys(variants) } },
    allOf: [...dispatchOnType(variants), { if: { not: { required: ['type'] } }, then: ref('TextMessage') }],
  };
  for (const name of Object.values(variants)) {
    const variant = get(s, name);
    delete allOfPart(variant, 1)['additionalProperties'];
    variant['unevaluatedProperties'] = false;
  }

  const base = get(s, 'BaseMessageProperties');
  (base['properties'] as JsonObject)['biz_opaque_callback_data'] = { type: 'string', maxLength: 512 };
  base['required'] = ['messaging_product', 'to'];

  const textProps = allOfPart(get(s, 'TextMessage'), 1)['properties'] as JsonObject;
  const text = textProps['text'] as JsonObject;
  text['required'] = ['body'];
  ((text['properties'] as JsonObject)['body'] as JsonObject)['maxLength'] = 4096;

  const locationProps = ((allOfPart(get(s, 'LocationMessage'), 1)['properties'] as JsonObject)['location'] as JsonObject)['properties'] as JsonObject;
  for (const key of ['latitude', 'longitude']) {
    locationProps[key] = { anyOf: [{ type: 'number' }, { type: 'string', pattern: '^-?\\d+(\\.\\d+)?$' }] };
  }

  get(s, 'LanguageObject')['required'] = ['code'];

  const index: Json = { anyOf: [
    { type: 'integer', minimum: 0, maximum: 9 },
    { type: 'string', pattern: '^[0-9]$' },
  ] };
  (get(s, 'TemplateComponent')['properties'] as JsonObject)['index'] = index;
  const buttonProps = allOfPart(get(s, 'ButtonComponent'), 1)['properties'] as JsonObject;
  buttonProps['index'] = index;

  s['TemplateComponentDispatch'] = {
    allOf: [ref('TemplateComponent'), ...dispatchOnType({ header: 'HeaderComponent', body: 'BodyComponent', button: 'ButtonComponent' })],
  };
  ((get(s, 'TemplateObject')['properties'] as JsonObject)['components'] as JsonObject)['items'] = ref('TemplateComponentDispatch');
  s['ParameterObjectDispatch'] = {
    allOf: [ref('ParameterObject'), ...dispatchOnType({ currency: 'CurrencyParameter', date_time: 'DateTimeParameter',
      document: 'DocumentParameter', image: 'ImageParameter', text: 'TextParameter', video: 'VideoParameter' })],
  };
  for (const name of ['HeaderComponent', 'BodyComponent']) {
    const params = (allOfPart(get(s, name), 1)['properties'] as JsonObject)['parameters'] as JsonObject;
    params['items'] = ref('ParameterObjectDispatch');
  }
  s['ButtonParameterObjectDispatch'] = {
    allOf: [ref('ButtonParameterObject'), ...dispatchOnType({ payload: 'ButtonPayloadParameter', text: 'ButtonTextParameter',
      coupon_code: 'ButtonCouponCodeParameter' })],
  };
  (buttonProps['parameters'] as JsonObject)['items'] = ref('ButtonParameterObjectDispatch');

  const subTypes: Json = { type: 'string', enum: ['quick_reply', 'url', 'catalog', 'copy_code'] };
  (get(s, 'TemplateComponent')['properties'] as JsonObject)['sub_type'] = subTypes;
  buttonProps['sub_type'] = subTypes;
  const buttonParamType = (get(s, 'ButtonParameterObject')['properties'] as JsonObject)['type'] as JsonObject;
  buttonParamType['enum'] = ['payload', 'text', 'coupon_code'];
  s['ButtonCouponCodeParameter'] = {
    type: 'object',
    required: ['type', 'coupon_code'],
    properties: { type: { const: 'coupon_code' }, coupon_code: { type: 'string', minLength: 1, maxLength: 15 } },
  };

  for (const name of ['TextParameter', 'CurrencyParameter', 'DateTimeParameter']) {
    const props = allOfPart(get(s, name), 1)['properties'] as JsonObject;
    props['parameter_name'] = { type: 'string', pattern: '^[a-z0-9_]+$' };
  }

  const interactive = get(s, 'InteractiveObject');
  const interactiveType = (interactive['properties'] as JsonObject)['type'] as JsonObject;
  (interactiveType['enum'] as Json[]).push('cta_url');
  (get(s, 'ActionObject')['oneOf'] as Json[]).push({
    required: ['name', 'parameters'],
    properties: {
      name: { type: 'string', enum: ['cta_url'] },
      parameters: {
        type: 'object',
        required: ['display_text', 'url'],
        properties: {
          display_text: { type: 'string', minLength: 1, maxLength: 20 },
          url: { type: 'string', format: 'uri' },
        },
      },
    },
  });

  ((get(s, 'BodyObject')['properties'] as JsonObject)['text'] as JsonObject)['maxLength'] = 4096;
  interactive['allOf'] = [
    {
      if: { properties: { type: { enum: ['button', 'cta_url'] } }, required: ['type'] },
      then: { properties: { body: { properties: { text: { maxLength: 1024 } } } } },
    },
    {
      if: { properties: { type: { const: 'list' } }, required: ['type'] },
      then: { properties: { header: { properties: { type: { const: 'text' } } } } },
    },
  ];
}

function patchLocationHeader(s: JsonObject): void {
  const parameterType = (get(s, 'ParameterObject')['properties'] as JsonObject)['type'] as JsonObject;
  (parameterType['enum'] as Json[]).push('location');
  s['LocationParameter'] = {
    type: 'object',
    required: ['type', 'location'],
    properties: {
      type: { const: 'location' },
      location: {
        type: 'object',
        required: ['latitude', 'longitude'],
        additionalProperties: false,
        properties: {
          latitude: { type: ['string', 'number'] },
          longitude: { type: ['string', 'number'] },
          name: { type: 'string' },
          address: { type: 'string' },
        },
      },
    },
  };
  ((s['ParameterObjectDispatch'] as JsonObject)['allOf'] as Json[]).push(...dispatchOnType({ location: 'LocationParameter' }));
}

function patchWebhookSide(s: JsonObject): void {
  const inbound: Record<string, string> = {
    text: 'TextMessage_2', reaction: 'ReactionMessage_1', audio: 'AudioMessage_1', document: 'DocumentMessage_1',
    image: 'ImageMessage_1', sticker: 'StickerMessage_1', video: 'VideoMessage_1', location: 'LocationMessage_1',
    contacts: 'ContactSharingMessage', unsupported: 'UnsupportedMessage', unknown: 'UnsupportedMessage',
    button: 'ButtonMessage', interactive: 'InteractiveMessageReply', order: 'OrderMessage',
  };
  s['IncomingMessage'] = {
    type: 'object',
    required: ['type'],
    properties: { type: { enum: Object.keys(inbound) } },
    allOf: dispatchOnType(inbound),
  };

  for (const name of new Set([...Object.values(inbound), 'SystemMessage'])) {
    const base = allOfPart(get(s, name), 0);
    if (base['$ref'] === '#/components/schemas/BaseMessageProperties') base['$ref'] = '#/components/schemas/BaseMessageProperties_1';
  }

  get(s, 'ContextObject')['required'] = [];
  ((get(s, 'ContextObject')['properties'] as JsonObject))['forwarded'] = { type: 'boolean' };
  ((get(s, 'ContextObject')['properties'] as JsonObject))['frequently_forwarded'] = { type: 'boolean' };

  const replyProps = allOfPart(get(s, 'InteractiveMessageReply'), 1)['properties'] as JsonObject;
  const interactive = replyProps['interactive'] as JsonObject;
  interactive['allOf'] = dispatchOnType({ list_reply: 'InteractiveListReplyContent', button_reply: 'InteractiveButtonReplyContent' });
  const listReply = (get(s, 'InteractiveListReplyContent')['properties'] as JsonObject)['list_reply'] as JsonObject;
  listReply['required'] = ['id', 'title'];

  const unsupportedProps = allOfPart(get(s, 'UnsupportedMessage'), 1)['properties'] as JsonObject;
  (unsupportedProps['errors'] as JsonObject)['items'] = ref('StatusError');

  const statusEnum = ((get(s, 'Statuses')['properties'] as JsonObject)['status'] as JsonObject)['enum'] as Json[];
  statusEnum.push('played');
}

export interface MetaSchema {
  /** The patched OpenAPI document (components.schemas holds the patched schemas). */
  readonly document: JsonObject;
  /** Compiled validator for `Message`, `#/components/schemas/Message`, or any schema name in the file. */
  validator(schemaRef: string): ValidateFunction;
}

let cached: MetaSchema | undefined;

function normaliseRef(schemaRef: string): string {
  if (schemaRef.startsWith('#/')) return schemaRef;
  return `#/components/schemas/${schemaRef}`;
}

/** Loads, patches and caches Meta's schema (parsing the 1 MB YAML takes about a second, once per process). */
export function loadMetaSchema(): MetaSchema {
  if (cached) return cached;
  const document = parse(readFileSync(META_YAML_PATH, 'utf8')) as JsonObject;
  const s = schemas(document);
  patchSendSide(s);
  patchLocationHeader(s);
  patchWebhookSide(s);

  // strict:false: the OpenAPI file carries non-JSON-Schema keywords (example, discriminator) that Ajv must ignore.
  const ajv = new Ajv2020({ strict: false, allErrors: true, logger: false, validateSchema: false });
  const addFormats = addFormatsModule as unknown as (a: Ajv2020) => Ajv2020;
  addFormats(ajv);
  ajv.addSchema({ $id: SCHEMA_ID, components: document['components'] } as object);
  const compiled = new Map<string, ValidateFunction>();
  cached = {
    document,
    validator(schemaRef: string): ValidateFunction {
      const key = normaliseRef(schemaRef);
      let fn = compiled.get(key);
      if (!fn) {
        fn = ajv.getSchema(`${SCHEMA_ID}${key}`);
        if (!fn) throw new Error(`no schema ${schemaRef} in Meta's WhatsApp spec`);
        compiled.set(key, fn);
      }
      return fn;
    },
  };
  return cached;
}

export interface MetaValidationResult {
  valid: boolean;
  /** `instancePath: message` lines, empty when valid. */
  errors: string[];
}

/** Error lines; "must match then schema" is dropped because it only repeats the error inside the branch. */
function describe(errors: readonly ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).filter((e) => e.keyword !== 'if').map((e) => `${e.instancePath || '/'}: ${e.message ?? e.keyword}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}${e.params && 'unevaluatedProperty' in e.params ? ` (${String(e.params.unevaluatedProperty)})` : ''}`);
}

/** Validates `value` against a schema of the patched Meta spec, e.g. `validateAgainst('Message', payload)`. */
export function validateAgainst(schemaRef: string, value: unknown): MetaValidationResult {
  const fn = loadMetaSchema().validator(schemaRef);
  const valid = fn(value) as boolean;
  return { valid, errors: valid ? [] : describe(fn.errors) };
}

/** Named examples of an operation's request body in the YAML, e.g. for 'POST /{Version}/{Phone-Number-ID}/messages'. */
export function metaRequestExamples(method: 'post' | 'get', path: string): Array<{ name: string; value: unknown }> {
  const paths = loadMetaSchema().document['paths'] as JsonObject;
  const op = ((paths[path] as JsonObject | undefined)?.[method]) as JsonObject | undefined;
  const body = op?.['requestBody'] as JsonObject | undefined;
  const content = body?.['content'] as JsonObject | undefined;
  const json = content?.['application/json'] as JsonObject | undefined;
  const examples = (json?.['examples'] ?? {}) as JsonObject;
  return Object.entries(examples).map(([name, ex]) => ({ name, value: (ex as JsonObject)['value'] }));
}
