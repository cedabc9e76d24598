import type { TemplateDraft } from './template-model';

/**
 * Templates every sandbox WABA starts with, APPROVED, in `en` and `zh_CN` (plus Meta's own `hello_world` in
 * `en_US`). Between them they cover what the product sends: a marketing template with an image header, body
 * variables, quick replies and a URL button with a suffix variable; a utility template with named parameters;
 * a plain one without variables.
 */
export const SAMPLE_TEMPLATES: readonly TemplateDraft[] = [
  {
    name: 'spring_promo',
    language: 'en',
    category: 'MARKETING',
    parameter_format: 'POSITIONAL',
    components: [
      { type: 'HEADER', format: 'IMAGE', example: { header_handle: ['4::aW1hZ2UvcG5n:sandbox-sample-header'] } },
      {
        type: 'BODY',
        text: 'Hi {{1}}, our spring sale is on! Enjoy {{2}} off everything until {{3}}.',
        example: { body_text: [['Maria', '25%', '31 March']] },
      },
      { type: 'FOOTER', text: 'Reply STOP to unsubscribe' },
      {
        type: 'BUTTONS',
        buttons: [
          { type: 'QUICK_REPLY', text: 'Interested' },
          { type: 'QUICK_REPLY', text: 'Not interested' },
          { type: 'URL', text: 'View offer', url: 'https://shop.example.com/offers/{{1}}', example: ['https://shop.example.com/offers/spring25'] },
        ],
      },
    ],
  },
  {
    name: 'spring_promo',
    language: 'zh_CN',
    category: 'MARKETING',
    parameter_format: 'POSITIONAL',
    components: [
      { type: 'HEADER', format: 'IMAGE', example: { header_handle: ['4::aW1hZ2UvcG5n:sandbox-sample-header'] } },
      {
        type: 'BODY',
        text: '您好 {{1}}，春季特惠进行中：全场 {{2}} 优惠，截止 {{3}}。',
        example: { body_text: [['小明', '75折', '3月31日']] },
      },
      { type: 'FOOTER', text: '回复 STOP 退订' },
      {
        type: 'BUTTONS',
        buttons: [
          { type: 'QUICK_REPLY', text: '感兴趣' },
          { type: 'QUICK_REPLY', text: '不感兴趣' },
          { type: 'URL', text: '查看优惠', url: 'https://shop.example.com/offers/{{1}}', example: ['https://shop.example.com/offers/spring25'] },
        ],
      },
    ],
  },
  {
    name: 'order_update',
    language: 'en',
    category: 'UTILITY',
    parameter_format: 'NAMED',
    components: [
      { type: 'HEADER', format: 'TEXT', text: 'Order update' },
      {
        type: 'BODY',
        text: 'Hello {{customer_name}}, your order {{order_id}} has shipped and should arrive by {{delivery_date}}.',
        example: {
          body_text_named_params: [
            { param_name: 'customer_name', example: 'Maria' },
            { param_name: 'order_id', example: 'A-1001' },
            { param_name: 'delivery_date', example: 'June 3' },
          ],
        },
      },
      {
        type: 'BUTTONS',
        buttons: [
          { type: 'URL', text: 'Track order', url: 'https://shop.example.com/orders' },
          { type: 'QUICK_REPLY', text: 'Talk to us' },
        ],
      },
    ],
  },
  {
    name: 'order_update',
    language: 'zh_CN',
    category: 'UTILITY',
    parameter_format: 'NAMED',
    components: [
      { type: 'HEADER', format: 'TEXT', text: '订单更新' },
      {
        type: 'BODY',
        text: '您好 {{customer_name}}，您的订单 {{order_id}} 已发货，预计 {{delivery_date}} 前送达。',
        example: {
          body_text_named_params: [
            { param_name: 'customer_name', example: '小明' },
            { param_name: 'order_id', example: 'A-1001' },
            { param_name: 'delivery_date', example: '6月3日' },
          ],
        },
      },
      {
        type: 'BUTTONS',
        buttons: [
          { type: 'URL', text: '查看物流', url: 'https://shop.example.com/orders' },
          { type: 'QUICK_REPLY', text: '联系我们' },
        ],
      },
    ],
  },
  {
    name: 'welcome_offer',
    language: 'en',
    category: 'MARKETING',
    parameter_format: 'POSITIONAL',
    components: [
      { type: 'BODY', text: 'Welcome to Wareach Shop! Show this message in store for a free gift.' },
      { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Stop promotions' }] },
    ],
  },
  {
    name: 'welcome_offer',
    language: 'zh_CN',
    category: 'MARKETING',
    parameter_format: 'POSITIONAL',
    components: [
      { type: 'BODY', text: '欢迎光临 Wareach 商店！到店出示此消息即可领取礼品。' },
      { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: '停止推广' }] },
    ],
  },
  {
    name: 'hello_world',
    language: 'en_US',
    category: 'UTILITY',
    parameter_format: 'POSITIONAL',
    components: [
      { type: 'HEADER', format: 'TEXT', text: 'Hello World' },
      {
        type: 'BODY',
        text:
          'Welcome and congratulations!! This message demonstrates your ability to send a WhatsApp message notification ' +
          'from the Cloud API, hosted by Meta. Thank you for taking the time to test with us.',
      },
      { type: 'FOOTER', text: 'WhatsApp Business Platform sample message' },
    ],
  },
];
