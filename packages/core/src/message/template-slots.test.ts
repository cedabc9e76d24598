import { describe, expect, it } from 'vitest';
import { templateDefinitionSchema } from './template-definition';
import type { TemplateComponent } from './template-definition';
import { parseTemplateSlots } from './template-slots';
import { validateTemplateBindings } from './template-bindings';
import type { TemplateBindings } from './template-bindings';

const components = (raw: unknown[]): TemplateComponent[] =>
  templateDefinitionSchema.parse({ name: 't', language: 'en', components: raw }).components;

describe('parseTemplateSlots', () => {
  it('positional body variables are slots in number order, whatever order the text uses', () => {
    const slots = parseTemplateSlots(components([{ type: 'BODY', text: 'Order {{2}} for {{1}}; again {{1}}' }]));
    expect(slots).toEqual([
      { kind: 'body_text', key: 'body.1', variable: '1' },
      { kind: 'body_text', key: 'body.2', variable: '2' },
    ]);
  });

  it('named body variables carry their parameter name, in text order', () => {
    const slots = parseTemplateSlots(components([{ type: 'BODY', text: 'Hi {{first_name}}, order {{order_id}}' }]), 'NAMED');
    expect(slots).toEqual([
      { kind: 'body_text', key: 'body.first_name', variable: 'first_name', parameterName: 'first_name' },
      { kind: 'body_text', key: 'body.order_id', variable: 'order_id', parameterName: 'order_id' },
    ]);
  });

  it('a template is taken as named when its variables are names, even without parameter_format', () => {
    expect(parseTemplateSlots(components([{ type: 'BODY', text: 'Hi {{first_name}}' }]))[0]).toMatchObject({ parameterName: 'first_name' });
  });

  it('a text header with a variable has a header.text slot; without one, none', () => {
    expect(parseTemplateSlots(components([{ type: 'HEADER', format: 'TEXT', text: 'Sale in {{1}}' }]))).toEqual([
      { kind: 'header_text', key: 'header.text', variable: '1' },
    ]);
    expect(parseTemplateSlots(components([{ type: 'HEADER', format: 'TEXT', text: 'Sale' }]))).toEqual([]);
  });

  it('media and location headers each have a slot', () => {
    expect(parseTemplateSlots(components([{ type: 'HEADER', format: 'VIDEO' }]))).toEqual([
      { kind: 'header_media', key: 'header.media', format: 'video' },
    ]);
    expect(parseTemplateSlots(components([{ type: 'HEADER', format: 'LOCATION' }]))).toEqual([
      { kind: 'header_location', key: 'header.location' },
    ]);
  });

  it('a URL button with {{1}} has a suffix slot at its index; static URL, quick reply and phone buttons have none', () => {
    const slots = parseTemplateSlots(
      components([
        {
          type: 'BUTTONS',
          buttons: [
            { type: 'QUICK_REPLY', text: 'Stop' },
            { type: 'URL', text: 'Home', url: 'https://shop.example.com' },
            { type: 'PHONE_NUMBER', text: 'Call', phone_number: '+8613800138000' },
            { type: 'URL', text: 'Track', url: 'https://shop.example.com/track/{{1}}' },
          ],
        },
      ]),
    );
    expect(slots).toEqual([{ kind: 'button_url', key: 'button.3', buttonIndex: 3, url: 'https://shop.example.com/track/{{1}}' }]);
  });

  it('a COPY_CODE button has a coupon slot', () => {
    expect(parseTemplateSlots(components([{ type: 'BUTTONS', buttons: [{ type: 'COPY_CODE', text: 'Copy code' }] }]))).toEqual([
      { kind: 'button_coupon', key: 'button.0', buttonIndex: 0 },
    ]);
  });

  it('lower-case component types from the creation API are normalised', () => {
    expect(parseTemplateSlots(components([{ type: 'header', format: 'image' }, { type: 'body', text: '{{1}}' }]))).toEqual([
      { kind: 'header_media', key: 'header.media', format: 'image' },
      { kind: 'body_text', key: 'body.1', variable: '1' },
    ]);
  });
});

describe('validateTemplateBindings', () => {
  const template = {
    components: components([
      { type: 'HEADER', format: 'IMAGE' },
      { type: 'BODY', text: 'Hi {{1}}, you have {{2}} points' },
      { type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Shop', url: 'https://shop.example.com/{{1}}' }, { type: 'COPY_CODE', text: 'Copy' }] },
    ]),
  };
  const complete: TemplateBindings = {
    'header.media': { kind: 'media', mediaFileId: 'mf-1' },
    'body.1': { kind: 'attribute', name: 'first_name', default: 'there' },
    'body.2': { kind: 'tag', name: 'points' },
    'button.0': { kind: 'id' },
    'button.1': { kind: 'constant', value: 'SPRING25' },
  };

  it('accepts a binding for every slot and returns the slots', () => {
    const result = validateTemplateBindings(template, complete);
    expect(result.ok && result.value.map((slot) => slot.key)).toEqual(['header.media', 'body.1', 'body.2', 'button.0', 'button.1']);
  });

  it('names an unbound slot', () => {
    const { 'body.2': _, ...rest } = complete;
    expect(validateTemplateBindings(template, rest)).toEqual({
      ok: false,
      error: [{ path: 'bindings.body.2', message: 'body variable {{2}} has no binding' }],
    });
  });

  it('names a binding the template has no slot for', () => {
    expect(validateTemplateBindings(template, { ...complete, 'body.3': { kind: 'id' } })).toEqual({
      ok: false,
      error: [{ path: 'bindings.body.3', message: 'the template has no slot body.3 (its slots are header.media, body.1, body.2, button.0, button.1)' }],
    });
  });

  it('a media header needs media, and a text slot a text', () => {
    const result = validateTemplateBindings(template, {
      ...complete,
      'header.media': { kind: 'constant', value: 'x' },
      'body.1': { kind: 'media', link: 'https://cdn.example.com/a.png' },
    });
    expect(result).toEqual({
      ok: false,
      error: [
        { path: 'bindings.header.media.kind', message: 'header image must be bound to media (kind "media" with a link or a mediaFileId)' },
        { path: 'bindings.body.1.kind', message: 'body variable {{1}} takes a text: bind it to a constant, an attribute, a tag, the id or the phone' },
      ],
    });
  });

  it('a coupon code constant of 15 characters is accepted, 16 refused', () => {
    expect(validateTemplateBindings(template, { ...complete, 'button.1': { kind: 'constant', value: 'A'.repeat(15) } }).ok).toBe(true);
    expect(validateTemplateBindings(template, { ...complete, 'button.1': { kind: 'constant', value: 'A'.repeat(16) } })).toEqual({
      ok: false,
      error: [{ path: 'bindings.button.1.value', message: 'must be at most 15 characters (got 16)' }],
    });
  });

  it('body constants and defaults may not hold new lines, tabs or five spaces in a row', () => {
    const result = validateTemplateBindings(template, {
      ...complete,
      'body.1': { kind: 'attribute', name: 'first_name', default: 'dear\nfriend' },
      'body.2': { kind: 'constant', value: 'a     b' },
    });
    expect(result).toEqual({
      ok: false,
      error: [
        { path: 'bindings.body.1.default', message: 'must not contain new lines or tabs (WhatsApp refuses them in template parameters)' },
        { path: 'bindings.body.2.value', message: 'must not contain more than 4 spaces in a row (WhatsApp refuses them in template parameters)' },
      ],
    });
  });

  it('an empty constant is refused', () => {
    expect(validateTemplateBindings(template, { ...complete, 'body.2': { kind: 'constant', value: ' ' } })).toEqual({
      ok: false,
      error: [{ path: 'bindings.body.2.value', message: 'must not be empty' }],
    });
  });

  it('a template without variables takes no bindings', () => {
    const plain = { components: components([{ type: 'BODY', text: 'Hello' }]) };
    expect(validateTemplateBindings(plain, {})).toEqual({ ok: true, value: [] });
    expect(validateTemplateBindings(plain, { 'body.1': { kind: 'id' } })).toEqual({
      ok: false,
      error: [{ path: 'bindings.body.1', message: 'the template has no slot body.1 (it has no variables)' }],
    });
  });
});

describe('template definition', () => {
  it('refuses component kinds it cannot send', () => {
    const result = templateDefinitionSchema.safeParse({ name: 't', language: 'en', components: [{ type: 'CAROUSEL', cards: [] }] });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({
      path: ['components', 0, 'type'],
      message: 'must be HEADER, BODY, FOOTER or BUTTONS (other component types, such as carousels, are not supported)',
    });
  });

  it('refuses two components of one kind', () => {
    const result = templateDefinitionSchema.safeParse({ name: 't', language: 'en', components: [{ type: 'BODY', text: 'a' }, { type: 'BODY', text: 'b' }] });
    expect(result.error?.issues[0]).toMatchObject({ path: ['components', 1, 'type'], message: 'a template has only one BODY component' });
  });

  it('keeps the fields Meta sends that it does not use', () => {
    const parsed = templateDefinitionSchema.parse({
      name: 't',
      language: 'en',
      status: 'APPROVED',
      components: [{ type: 'BODY', text: '{{1}}', example: { body_text: [['Mark']] } }],
    });
    expect(parsed).toMatchObject({ status: 'APPROVED', components: [{ example: { body_text: [['Mark']] } }] });
  });
});
