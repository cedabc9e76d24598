// Valid contents, templates and recipients shared by this folder's tests (not part of the module's API).
import type { MessageRecipient } from './recipient';

export const recipient: MessageRecipient = {
  oneId: 'u-1001',
  phone: '+8613800138000',
  attributes: { first_name: 'Mei', city: 'Shenzhen', points: 1250, vip: true },
  tags: { level: 'gold', interests: ['shoes', 'bags'] },
};

/** A CSV recipient: a phone and nothing else. */
export const csvRecipient: MessageRecipient = { phone: '+8613900139000', attributes: {}, tags: {} };

export const validContents = {
  text: { type: 'text', body: 'Hello' },
  image: { type: 'image', link: 'https://cdn.example.com/a.png', caption: 'A picture' },
  video: { type: 'video', mediaFileId: 'mf-video-1', caption: 'A film' },
  document: { type: 'document', link: 'https://cdn.example.com/a.pdf', caption: 'Your order', filename: 'order.pdf' },
  cta_url: {
    type: 'cta_url',
    header: { type: 'text', text: 'Spring sale' },
    body: 'Tap to see the offers',
    footer: 'Reply STOP to opt out',
    displayText: 'See offers',
    url: 'https://shop.example.com/sale',
  },
  list: {
    type: 'list',
    header: { type: 'text', text: 'Our stores' },
    body: 'Pick a store',
    footer: 'Open daily',
    button: 'Stores',
    sections: [{ title: 'Shenzhen', rows: [{ id: 'sz-1', title: 'Futian', description: 'Near the metro' }] }],
  },
  buttons: {
    type: 'buttons',
    header: { type: 'image', link: 'https://cdn.example.com/h.png' },
    body: 'Did you like your order?',
    footer: 'Thanks',
    buttons: [
      { id: 'yes', title: 'Yes' },
      { id: 'no', title: 'No' },
    ],
  },
  template: {
    type: 'template',
    template: {
      name: 'spring_sale',
      language: 'en_US',
      components: [
        { type: 'HEADER', format: 'IMAGE' },
        { type: 'BODY', text: 'Hi {{1}}, you have {{2}} points.' },
        { type: 'FOOTER', text: 'Reply STOP to opt out' },
        {
          type: 'BUTTONS',
          buttons: [
            { type: 'URL', text: 'Shop', url: 'https://shop.example.com/u/{{1}}' },
            { type: 'QUICK_REPLY', text: 'Stop promotions' },
          ],
        },
      ],
    },
    bindings: {
      'header.media': { kind: 'media', link: 'https://cdn.example.com/sale.png' },
      'body.1': { kind: 'attribute', name: 'first_name', default: 'there' },
      'body.2': { kind: 'attribute', name: 'points' },
      'button.0': { kind: 'id' },
    },
  },
} as const;

export type FixtureType = keyof typeof validContents;

/** A deep copy of a fixture, as a plain mutable value to feed `validateContent`. */
export function fixture(type: FixtureType): Record<string, unknown> {
  return structuredClone(validContents[type]) as unknown as Record<string, unknown>;
}

/** `value` with the field at a dot path (array indexes as numbers) replaced. */
export function withField(value: Record<string, unknown>, path: string, fieldValue: unknown): Record<string, unknown> {
  const copy = structuredClone(value);
  const keys = path.split('.');
  let node: Record<string, unknown> = copy;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[keys[keys.length - 1] as string] = fieldValue;
  return copy;
}

export const chars = (n: number, ch = 'a'): string => ch.repeat(n);
