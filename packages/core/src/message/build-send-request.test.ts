import { describe, expect, it } from 'vitest';
import { buildSendRequest } from './build-send-request';
import type { MessageContent } from './content-schema';
import { validateContent } from './validate-content';
import { chars, csvRecipient, fixture, recipient, withField } from './test-fixtures';

function content(input: unknown): MessageContent {
  const result = validateContent(input);
  if (!result.ok) throw new Error(`fixture invalid: ${JSON.stringify(result.error)}`);
  return result.value;
}

const envelope = { messaging_product: 'whatsapp', recipient_type: 'individual', to: '+8613800138000' };

describe('envelope', () => {
  it('sends to the E.164 number with its +, so Meta does not prepend the sender country code', () => {
    const built = buildSendRequest(content(fixture('text')), recipient);
    expect(built).toEqual({ ok: true, value: { ...envelope, type: 'text', text: { body: 'Hello' } } });
  });

  it('adds biz_opaque_callback_data when given', () => {
    const built = buildSendRequest(content(fixture('text')), recipient, { bizOpaqueCallbackData: 'delivery-42' });
    expect(built.ok && built.value.biz_opaque_callback_data).toBe('delivery-42');
  });

  it('refuses biz_opaque_callback_data over 512 characters, accepts 512', () => {
    expect(buildSendRequest(content(fixture('text')), recipient, { bizOpaqueCallbackData: chars(512) }).ok).toBe(true);
    expect(buildSendRequest(content(fixture('text')), recipient, { bizOpaqueCallbackData: chars(513) })).toMatchObject({
      ok: false,
      error: { code: 'invalid_content' },
    });
  });

  it.each(['8613800138000', '+86 138 0013 8000', '+0123456789', ''])('fails a phone that is not E.164 with +: %j', (phone) => {
    expect(buildSendRequest(content(fixture('text')), { ...recipient, phone })).toMatchObject({ ok: false, error: { code: 'invalid_phone' } });
  });
});

describe('each content type', () => {
  it('text, with preview_url when asked', () => {
    const built = buildSendRequest(content({ type: 'text', body: 'See https://x.example', previewUrl: true }), recipient);
    expect(built).toEqual({ ok: true, value: { ...envelope, type: 'text', text: { body: 'See https://x.example', preview_url: true } } });
  });

  it('image by link with caption', () => {
    expect(buildSendRequest(content(fixture('image')), recipient)).toEqual({
      ok: true,
      value: { ...envelope, type: 'image', image: { link: 'https://cdn.example.com/a.png', caption: 'A picture' } },
    });
  });

  it('video by uploaded file: the media id of the channel is sent', () => {
    expect(buildSendRequest(content(fixture('video')), recipient, { mediaIds: { 'mf-video-1': '1479537139650973' } })).toEqual({
      ok: true,
      value: { ...envelope, type: 'video', video: { id: '1479537139650973', caption: 'A film' } },
    });
  });

  it('an uploaded file without a media id fails that send', () => {
    expect(buildSendRequest(content(fixture('video')), recipient)).toEqual({
      ok: false,
      error: { code: 'media_not_uploaded', reason: 'media file mf-video-1 has not been uploaded to this channel yet', missing: [], path: 'mediaFileId' },
    });
  });

  it('document with filename and caption', () => {
    expect(buildSendRequest(content(fixture('document')), recipient)).toEqual({
      ok: true,
      value: { ...envelope, type: 'document', document: { link: 'https://cdn.example.com/a.pdf', caption: 'Your order', filename: 'order.pdf' } },
    });
  });

  it('cta_url: interactive with action name cta_url and display_text/url parameters', () => {
    expect(buildSendRequest(content(fixture('cta_url')), recipient)).toEqual({
      ok: true,
      value: {
        ...envelope,
        type: 'interactive',
        interactive: {
          type: 'cta_url',
          header: { type: 'text', text: 'Spring sale' },
          body: { text: 'Tap to see the offers' },
          footer: { text: 'Reply STOP to opt out' },
          action: { name: 'cta_url', parameters: { display_text: 'See offers', url: 'https://shop.example.com/sale' } },
        },
      },
    });
  });

  it('list: action.button and sections with rows', () => {
    expect(buildSendRequest(content(fixture('list')), recipient)).toEqual({
      ok: true,
      value: {
        ...envelope,
        type: 'interactive',
        interactive: {
          type: 'list',
          header: { type: 'text', text: 'Our stores' },
          body: { text: 'Pick a store' },
          footer: { text: 'Open daily' },
          action: {
            button: 'Stores',
            sections: [{ title: 'Shenzhen', rows: [{ id: 'sz-1', title: 'Futian', description: 'Near the metro' }] }],
          },
        },
      },
    });
  });

  it('reply buttons: interactive type button with reply objects, and a media header', () => {
    expect(buildSendRequest(content(fixture('buttons')), recipient)).toEqual({
      ok: true,
      value: {
        ...envelope,
        type: 'interactive',
        interactive: {
          type: 'button',
          header: { type: 'image', image: { link: 'https://cdn.example.com/h.png' } },
          body: { text: 'Did you like your order?' },
          footer: { text: 'Thanks' },
          action: {
            buttons: [
              { type: 'reply', reply: { id: 'yes', title: 'Yes' } },
              { type: 'reply', reply: { id: 'no', title: 'No' } },
            ],
          },
        },
      },
    });
  });

  it('a header document by uploaded file uses its media id', () => {
    const input = withField(fixture('buttons'), 'header', { type: 'document', mediaFileId: 'mf-doc' });
    const built = buildSendRequest(content(input), recipient, { mediaIds: { 'mf-doc': '998877' } });
    expect(built.ok && built.value.type === 'interactive' && built.value.interactive.header).toEqual({ type: 'document', document: { id: '998877' } });
  });

  it('template: header media, positional body parameters in order, URL suffix button with index "0"', () => {
    expect(buildSendRequest(content(fixture('template')), recipient)).toEqual({
      ok: true,
      value: {
        ...envelope,
        type: 'template',
        template: {
          name: 'spring_sale',
          language: { code: 'en_US' },
          components: [
            { type: 'header', parameters: [{ type: 'image', image: { link: 'https://cdn.example.com/sale.png' } }] },
            { type: 'body', parameters: [{ type: 'text', text: 'Mei' }, { type: 'text', text: '1250' }] },
            { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'u-1001' }] },
          ],
        },
      },
    });
  });

  it('template with named parameters: each carries parameter_name, header text included', () => {
    const named = {
      type: 'template',
      template: {
        name: 'order_update',
        language: 'en',
        parameterFormat: 'NAMED',
        components: [
          { type: 'HEADER', format: 'TEXT', text: 'Order {{order_id}}' },
          { type: 'BODY', text: 'Hi {{first_name}}, your order ships to {{city}}.' },
          { type: 'BUTTONS', buttons: [{ type: 'COPY_CODE', text: 'Copy code' }] },
        ],
      },
      bindings: {
        'header.text': { kind: 'constant', value: 'A-17' },
        'body.first_name': { kind: 'attribute', name: 'first_name' },
        'body.city': { kind: 'attribute', name: 'city' },
        'button.0': { kind: 'constant', value: 'SPRING25' },
      },
    };
    const built = buildSendRequest(content(named), recipient);
    expect(built.ok && built.value.type === 'template' && built.value.template.components).toEqual([
      { type: 'header', parameters: [{ type: 'text', text: 'A-17', parameter_name: 'order_id' }] },
      {
        type: 'body',
        parameters: [
          { type: 'text', text: 'Mei', parameter_name: 'first_name' },
          { type: 'text', text: 'Shenzhen', parameter_name: 'city' },
        ],
      },
      { type: 'button', sub_type: 'copy_code', index: '0', parameters: [{ type: 'coupon_code', coupon_code: 'SPRING25' }] },
    ]);
  });

  it('a template without variables is sent without components', () => {
    const plain = { type: 'template', template: { name: 'hello_world', language: 'en_US', components: [{ type: 'BODY', text: 'Hello' }] } };
    expect(buildSendRequest(content(plain), recipient)).toEqual({
      ok: true,
      value: { ...envelope, type: 'template', template: { name: 'hello_world', language: { code: 'en_US' } } },
    });
  });

  it('a location header is sent as a location parameter', () => {
    const located = {
      type: 'template',
      template: { name: 'pickup', language: 'en', components: [{ type: 'HEADER', format: 'LOCATION' }, { type: 'BODY', text: 'Your parcel is here' }] },
      bindings: { 'header.location': { kind: 'location', latitude: 22.5431, longitude: 114.0579, name: 'Futian store' } },
    };
    const built = buildSendRequest(content(located), recipient);
    expect(built.ok && built.value.type === 'template' && built.value.template.components).toEqual([
      { type: 'header', parameters: [{ type: 'location', location: { latitude: '22.5431', longitude: '114.0579', name: 'Futian store' } }] },
    ]);
  });
});

describe('personalisation at build time', () => {
  it('renders placeholders in every text field, and URL-encodes values inserted in URLs', () => {
    const input = {
      ...fixture('cta_url'),
      header: { type: 'text', text: 'Hi {{attr.first_name}}' },
      body: '{{tag.level}} offers in {{attr.city}}',
      footer: 'Member {{id}}',
      displayText: '{{attr.points}} points',
      url: 'https://shop.example.com/?city={{attr.where}}',
    };
    const who = { ...recipient, attributes: { ...recipient.attributes, where: 'Hong Kong' } };
    const built = buildSendRequest(content(input), who);
    expect(built.ok && built.value.type === 'interactive' && built.value.interactive).toEqual({
      type: 'cta_url',
      header: { type: 'text', text: 'Hi Mei' },
      body: { text: 'gold offers in Shenzhen' },
      footer: { text: 'Member u-1001' },
      action: { name: 'cta_url', parameters: { display_text: '1250 points', url: 'https://shop.example.com/?city=Hong%20Kong' } },
    });
  });

  it('renders list rows and sections', () => {
    const input = withField(fixture('list'), 'sections', [{ title: '{{attr.city}}', rows: [{ id: 'r1', title: 'Hi {{attr.first_name}}', description: '{{tag.interests}}' }] }]);
    const built = buildSendRequest(content(input), recipient);
    expect(built.ok && built.value.type === 'interactive' && built.value.interactive.type === 'list' && built.value.interactive.action.sections).toEqual([
      { title: 'Shenzhen', rows: [{ id: 'r1', title: 'Hi Mei', description: 'shoes, bags' }] },
    ]);
  });

  it('reports every missing value at once, with the first field at fault', () => {
    const input = { type: 'buttons', body: 'Hi {{attr.nickname}}', buttons: [{ id: 'a', title: '{{tag.size}}' }] };
    expect(buildSendRequest(content(input), recipient)).toEqual({
      ok: false,
      error: { code: 'missing_value', reason: 'no value for attr.nickname, tag.size, and no default is given', missing: ['attr.nickname', 'tag.size'], path: 'body' },
    });
  });

  it('a CSV recipient fails content that inserts profile data, with the reason', () => {
    expect(buildSendRequest(content({ type: 'text', body: 'Hi {{attr.first_name}}' }), csvRecipient)).toMatchObject({
      ok: false,
      error: { code: 'missing_value', reason: 'recipient has no profile, and the content inserts attr.first_name without a default', missing: ['attr.first_name'] },
    });
  });

  it('a button title of 20 characters once rendered is sent; 21 fails for that recipient', () => {
    const input = { type: 'buttons', body: 'Pick', buttons: [{ id: 'a', title: 'Hi {{attr.name}}' }] };
    const named = (name: string) => ({ ...recipient, attributes: { name } });
    expect(buildSendRequest(content(input), named(chars(17))).ok).toBe(true);
    expect(buildSendRequest(content(input), named(chars(18)))).toEqual({
      ok: false,
      error: { code: 'too_long', reason: 'buttons.0.title is 21 characters once personalised, more than the 20 allowed', missing: [], path: 'buttons.0.title' },
    });
  });

  it('reply button titles that become equal once personalised fail', () => {
    const input = { type: 'buttons', body: 'Pick', buttons: [{ id: 'a', title: '{{attr.a}}' }, { id: 'b', title: '{{attr.b}}' }] };
    expect(buildSendRequest(content(input), { ...recipient, attributes: { a: 'Same', b: 'Same' } })).toMatchObject({
      ok: false,
      error: { code: 'invalid_value', path: 'buttons' },
    });
  });

  it('a template body parameter from an attribute with a new line fails for that recipient', () => {
    const built = buildSendRequest(content(fixture('template')), { ...recipient, attributes: { first_name: 'Mei\nLi', points: 3 } });
    expect(built).toMatchObject({ ok: false, error: { code: 'invalid_value', path: 'bindings.body.1' } });
  });

  it('a template with a missing attribute and no default fails, naming it', () => {
    const built = buildSendRequest(content(fixture('template')), { ...recipient, attributes: { first_name: 'Mei' } });
    expect(built).toEqual({
      ok: false,
      error: { code: 'missing_value', reason: 'no value for attr.points, and no default is given', missing: ['attr.points'], path: 'bindings.body.2' },
    });
  });

  it('a template default is used when the attribute is missing', () => {
    const built = buildSendRequest(content(fixture('template')), { ...recipient, attributes: { points: 5 } });
    expect(built.ok && built.value.type === 'template' && built.value.template.components?.[1]).toEqual({
      type: 'body',
      parameters: [{ type: 'text', text: 'there' }, { type: 'text', text: '5' }],
    });
  });

  it('a URL suffix from profile data is URL-encoded, a constant is kept as written', () => {
    const withPhone = withField(fixture('template'), 'bindings', { ...fixture('template').bindings as object, 'button.0': { kind: 'phone' } });
    const built = buildSendRequest(content(withPhone), recipient);
    expect(built.ok && built.value.type === 'template' && built.value.template.components?.[2]).toMatchObject({ parameters: [{ text: '%2B8613800138000' }] });
    const withConstant = withField(fixture('template'), 'bindings', { ...fixture('template').bindings as object, 'button.0': { kind: 'constant', value: 'spring/sale' } });
    const built2 = buildSendRequest(content(withConstant), recipient);
    expect(built2.ok && built2.value.type === 'template' && built2.value.template.components?.[2]).toMatchObject({ parameters: [{ text: 'spring/sale' }] });
  });

  it('a hydrated template body over 1024 characters fails', () => {
    const long = withField(fixture('template'), 'template.components.1.text', `${chars(1000)} {{1}} {{2}}`);
    const built = buildSendRequest(content(long), { ...recipient, attributes: { first_name: chars(30), points: 1 } });
    expect(built).toMatchObject({ ok: false, error: { code: 'too_long', path: 'template.body' } });
  });
});
