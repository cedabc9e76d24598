// Every request the builder makes must validate against Meta's own `Message` schema (patched for its
// known defects and gaps, see spec/whatsapp/meta-schema.ts), so a misspelt field or a wrong shape is
// caught here rather than by WhatsApp.
import { describe, expect, it } from 'vitest';
import { validateAgainst } from '../../../../spec/whatsapp/meta-schema';
import { buildSendRequest } from './build-send-request';
import type { BuildSendRequestOptions } from './build-send-request';
import type { MessageContent } from './content-schema';
import type { MessageRecipient } from './recipient';
import { validateContent } from './validate-content';
import { fixture, recipient, withField } from './test-fixtures';
import type { FixtureType } from './test-fixtures';

const mediaIds = { 'mf-video-1': '1479537139650973', 'mf-1': '555000111', 'mf-doc': '998877' };

function built(input: unknown, who: MessageRecipient = recipient, opts: BuildSendRequestOptions = { mediaIds }) {
  const valid = validateContent(input);
  if (!valid.ok) throw new Error(`fixture invalid: ${JSON.stringify(valid.error)}`);
  const content: MessageContent = valid.value;
  const request = buildSendRequest(content, who, opts);
  if (!request.ok) throw new Error(`build failed: ${JSON.stringify(request.error)}`);
  return request.value;
}

function expectConforms(payload: unknown): void {
  expect(validateAgainst('Message', payload)).toEqual({ valid: true, errors: [] });
}

const personalised: Record<Exclude<FixtureType, 'template'>, Record<string, unknown>> = {
  text: { type: 'text', body: 'Hi {{attr.first_name}}, see https://x.example/{{id}}', previewUrl: true },
  image: { type: 'image', link: 'https://cdn.example.com/{{tag.level}}.png', caption: 'For {{attr.city}}' },
  video: { type: 'video', mediaFileId: 'mf-video-1', caption: '{{attr.points}} points' },
  document: { type: 'document', mediaFileId: 'mf-doc', caption: 'Invoice {{id}}', filename: 'invoice-{{id}}.pdf' },
  cta_url: {
    type: 'cta_url',
    header: { type: 'video', link: 'https://cdn.example.com/v.mp4' },
    body: 'Hi {{attr.first_name}}',
    footer: '{{tag.level}}',
    displayText: 'Open',
    url: 'https://shop.example.com/u/{{id}}',
  },
  list: {
    type: 'list',
    body: 'Stores near {{attr.city}}',
    button: 'Stores',
    sections: [
      { title: '{{attr.city}}', rows: [{ id: 'a', title: 'Futian {{tag.level}}' }, { id: 'b', title: 'Nanshan', description: 'For {{attr.first_name}}' }] },
      { title: 'Other', rows: [{ id: 'c', title: 'Online' }] },
    ],
  },
  buttons: {
    type: 'buttons',
    header: { type: 'document', mediaFileId: 'mf-doc' },
    body: 'Hi {{attr.first_name | "there"}}',
    buttons: [
      { id: 'y', title: 'Yes {{attr.first_name}}' },
      { id: 'n', title: 'No' },
      { id: 'l', title: 'Later' },
    ],
  },
};

describe('builder output conforms to Meta\'s Message schema', () => {
  it.each(['text', 'image', 'video', 'document', 'cta_url', 'list', 'buttons', 'template'] as const)('%s, as written', (type) => {
    expectConforms(built(fixture(type)));
  });

  it.each(Object.keys(personalised) as Array<keyof typeof personalised>)('%s, personalised', (type) => {
    expectConforms(built(personalised[type]));
  });

  it('with biz_opaque_callback_data', () => {
    expectConforms(built(fixture('text'), recipient, { bizOpaqueCallbackData: 'delivery-42' }));
  });

  it.each([
    { type: 'text', text: 'Hi' },
    { type: 'image', link: 'https://cdn.example.com/a.png' },
    { type: 'video', mediaFileId: 'mf-1' },
    { type: 'document', link: 'https://cdn.example.com/a.pdf' },
  ])('interactive header $type', (header) => {
    expectConforms(built(withField(fixture('buttons'), 'header', header)));
    expectConforms(built(withField(fixture('cta_url'), 'header', header)));
  });

  const template = (components: unknown[], bindings: Record<string, unknown>, parameterFormat?: string) => ({
    type: 'template',
    template: { name: 'spring_sale', language: 'en_US', components, ...(parameterFormat ? { parameterFormat } : {}) },
    bindings,
  });

  it('template, positional, with an image header by uploaded file and a URL suffix', () => {
    expectConforms(
      built(
        template(
          [
            { type: 'HEADER', format: 'IMAGE' },
            { type: 'BODY', text: 'Hi {{1}}, {{2}} points' },
            { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Stop' }, { type: 'URL', text: 'Shop', url: 'https://x.example/{{1}}' }] },
          ],
          {
            'header.media': { kind: 'media', mediaFileId: 'mf-1' },
            'body.1': { kind: 'attribute', name: 'first_name' },
            'body.2': { kind: 'tag', name: 'level' },
            'button.1': { kind: 'id' },
          },
        ),
      ),
    );
  });

  it('template, named, with a text header and a copy-code button', () => {
    expectConforms(
      built(
        template(
          [
            { type: 'HEADER', format: 'TEXT', text: 'Order {{order_id}}' },
            { type: 'BODY', text: 'Hi {{first_name}}' },
            { type: 'BUTTONS', buttons: [{ type: 'COPY_CODE', text: 'Copy' }] },
          ],
          {
            'header.text': { kind: 'constant', value: 'A-17' },
            'body.first_name': { kind: 'attribute', name: 'first_name' },
            'button.0': { kind: 'constant', value: 'SPRING25' },
          },
          'NAMED',
        ),
      ),
    );
  });

  it.each(['VIDEO', 'DOCUMENT'])('template with a %s header by link', (format) => {
    expectConforms(built(template([{ type: 'HEADER', format }, { type: 'BODY', text: 'Hello' }], { 'header.media': { kind: 'media', link: 'https://cdn.example.com/m' } })));
  });

  it('template with a location header', () => {
    expectConforms(
      built(template([{ type: 'HEADER', format: 'LOCATION' }, { type: 'BODY', text: 'Here' }], { 'header.location': { kind: 'location', latitude: 22.54, longitude: 114.05, address: 'Futian' } })),
    );
  });

  it('template without variables', () => {
    expectConforms(built(template([{ type: 'BODY', text: 'Hello' }], {})));
  });
});

describe('the schema is not vacuous', () => {
  it('refuses an unknown top-level field', () => {
    expect(validateAgainst('Message', { ...built(fixture('text')), extra: 1 }).valid).toBe(false);
  });

  it('refuses a cta_url display text of 21 characters', () => {
    const payload = built(fixture('cta_url'));
    const broken = structuredClone(payload) as { interactive: { action: { parameters: { display_text: string } } } };
    broken.interactive.action.parameters.display_text = 'x'.repeat(21);
    expect(validateAgainst('Message', broken).valid).toBe(false);
  });

  it('refuses a template text parameter without its text', () => {
    const payload = structuredClone(built(fixture('template'))) as { template: { components: Array<{ parameters: Array<Record<string, unknown>> }> } };
    delete payload.template.components[1]?.parameters[0]?.text;
    expect(validateAgainst('Message', payload).valid).toBe(false);
  });

  it('refuses media with neither id nor link', () => {
    expect(validateAgainst('Message', { messaging_product: 'whatsapp', recipient_type: 'individual', to: '+1', type: 'image', image: { caption: 'x' } }).valid).toBe(false);
  });
});
