/** Valid send payloads of every kind (without messaging_product), for tests to vary one field at a time. */
export const RECIPIENT = '+8613800138000';
export const RECIPIENT_WA_ID = '8613800138000';

const rows = (n: number, prefix: string) =>
  Array.from({ length: n }, (_, i) => ({ id: `${prefix}-${i}`, title: `Option ${prefix}${i}`, description: 'Short description' }));

export function textMessage(body = 'Hello from the sandbox test', to = RECIPIENT): Record<string, unknown> {
  return { recipient_type: 'individual', to, type: 'text', text: { body, preview_url: false } };
}

export function buttonMessage(): Record<string, unknown> {
  return {
    to: RECIPIENT,
    type: 'interactive',
    interactive: {
      type: 'button',
      header: { type: 'image', image: { link: 'https://cdn.example.com/banner.png' } },
      body: { text: 'Do you want to keep receiving offers?' },
      footer: { text: 'Wareach Shop' },
      action: {
        buttons: [
          { type: 'reply', reply: { id: 'yes', title: 'Yes please' } },
          { type: 'reply', reply: { id: 'no', title: 'No thanks' } },
        ],
      },
    },
  };
}

export function listMessage(): Record<string, unknown> {
  return {
    to: RECIPIENT,
    type: 'interactive',
    interactive: {
      type: 'list',
      header: { type: 'text', text: 'Delivery options' },
      body: { text: 'Choose how you want your order delivered.' },
      footer: { text: 'Prices include tax' },
      action: {
        button: 'Choose',
        sections: [
          { title: 'Fast', rows: rows(4, 'f') },
          { title: 'Cheap', rows: rows(6, 'c') },
        ],
      },
    },
  };
}

export function ctaUrlMessage(): Record<string, unknown> {
  return {
    to: RECIPIENT,
    type: 'interactive',
    interactive: {
      type: 'cta_url',
      header: { type: 'text', text: 'New arrivals' },
      body: { text: 'See what just landed in store.' },
      footer: { text: 'Wareach Shop' },
      action: { name: 'cta_url', parameters: { display_text: 'Open shop', url: 'https://shop.example.com/new?utm=wa' } },
    },
  };
}

export function springPromo(language = 'en', to = RECIPIENT): Record<string, unknown> {
  return {
    to,
    type: 'template',
    template: {
      name: 'spring_promo',
      language: { code: language },
      components: [
        { type: 'header', parameters: [{ type: 'image', image: { link: 'https://cdn.example.com/spring.png' } }] },
        {
          type: 'body',
          parameters: [
            { type: 'text', text: 'Maria' },
            { type: 'text', text: '25%' },
            { type: 'date_time', date_time: { fallback_value: 'March 31' } },
          ],
        },
        { type: 'button', sub_type: 'quick_reply', index: 0, parameters: [{ type: 'payload', payload: 'PROMO_YES' }] },
        { type: 'button', sub_type: 'url', index: '2', parameters: [{ type: 'text', text: 'spring25?u=42' }] },
      ],
    },
  };
}

export function orderUpdate(language = 'en', to = RECIPIENT): Record<string, unknown> {
  return {
    to,
    type: 'template',
    template: {
      name: 'order_update',
      language: { code: language },
      components: [
        {
          type: 'body',
          parameters: [
            { type: 'text', parameter_name: 'order_id', text: 'A-1001' },
            { type: 'text', parameter_name: 'customer_name', text: 'Maria' },
            { type: 'text', parameter_name: 'delivery_date', text: 'June 3' },
          ],
        },
      ],
    },
  };
}

export function welcomeOffer(language = 'en', to = RECIPIENT): Record<string, unknown> {
  return { to, type: 'template', template: { name: 'welcome_offer', language: { code: language } } };
}

export const OTHER_VALID: Record<string, Record<string, unknown>> = {
  'image by link with caption': { to: RECIPIENT, type: 'image', image: { link: 'https://cdn.example.com/a.jpg', caption: 'A picture' } },
  'video by link': { to: RECIPIENT, type: 'video', video: { link: 'https://cdn.example.com/a.mp4', caption: 'A clip' } },
  'audio by link': { to: RECIPIENT, type: 'audio', audio: { link: 'https://cdn.example.com/a.ogg' } },
  'document with filename': { to: RECIPIENT, type: 'document', document: { link: 'https://cdn.example.com/a.pdf', filename: 'order.pdf', caption: 'Your invoice' } },
  'sticker by link': { to: RECIPIENT, type: 'sticker', sticker: { link: 'https://cdn.example.com/a.webp' } },
  location: { to: RECIPIENT, type: 'location', location: { latitude: 31.23, longitude: 121.47, name: 'Store', address: 'Nanjing Rd' } },
  contacts: { to: RECIPIENT, type: 'contacts', contacts: [{ name: { formatted_name: 'Shop Support', first_name: 'Shop' }, phones: [{ phone: '+8613800000000', type: 'WORK' }] }] },
  reaction: { to: RECIPIENT, type: 'reaction', reaction: { message_id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI0RTJEOTc2ODVERUY5RDlGNkYA', emoji: '👍' } },
  'text without type (defaults to text)': { to: RECIPIENT, text: { body: 'no type field' } },
  'quoted reply with callback data': {
    to: RECIPIENT,
    type: 'text',
    context: { message_id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI0RTJEOTc2ODVERUY5RDlGNkYA' },
    biz_opaque_callback_data: 'delivery-42',
    text: { body: 'Replying to you' },
  },
};
