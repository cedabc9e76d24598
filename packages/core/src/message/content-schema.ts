/**
 * The eight kinds of message content of SPEC step 5, as zod schemas, with every limit of the product spec
 * and of Meta (the stricter wins; see `MESSAGE_LIMITS`). Texts may hold personalisation placeholders; ids may not.
 * Unknown fields are refused so a misplaced field (a caption on a list) is reported, not dropped.
 */
import { z } from 'zod';
import { checkOneMediaSource, countBetween, httpUrl, mediaSourceShape, personalText, plainId } from './content-fields';
import { MESSAGE_LIMITS } from './limits';
import { templateBindingSchema, validateTemplateBindings } from './template-bindings';
import { templateDefinitionSchema } from './template-definition';

const caption = personalText(MESSAGE_LIMITS.caption).optional();
const footer = personalText(MESSAGE_LIMITS.footer).optional();

export const textContentSchema = z.strictObject({
  type: z.literal('text'),
  body: personalText(MESSAGE_LIMITS.textBody),
  /** Ask WhatsApp to preview the first http(s) URL of the body. */
  previewUrl: z.boolean().optional(),
});

export const imageContentSchema = z
  .strictObject({ type: z.literal('image'), ...mediaSourceShape, caption })
  .superRefine(checkOneMediaSource);

export const videoContentSchema = z
  .strictObject({ type: z.literal('video'), ...mediaSourceShape, caption })
  .superRefine(checkOneMediaSource);

export const documentContentSchema = z
  .strictObject({
    type: z.literal('document'),
    ...mediaSourceShape,
    caption,
    /** The name the recipient sees; it also picks the file icon. */
    filename: personalText(MESSAGE_LIMITS.filename).optional(),
  })
  .superRefine(checkOneMediaSource);

const textHeaderSchema = z.strictObject({ type: z.literal('text'), text: personalText(MESSAGE_LIMITS.headerText) });
const mediaHeaderSchema = (type: 'image' | 'video' | 'document') =>
  z.strictObject({ type: z.literal(type), ...mediaSourceShape }).superRefine(checkOneMediaSource);

/** Header of cta_url and reply-button messages: text, image, video or document (SPEC and Meta agree). */
export const interactiveHeaderSchema = z.discriminatedUnion(
  'type',
  [textHeaderSchema, mediaHeaderSchema('image'), mediaHeaderSchema('video'), mediaHeaderSchema('document')],
  { error: 'must be text, image, video or document' },
);

export const ctaUrlContentSchema = z.strictObject({
  type: z.literal('cta_url'),
  header: interactiveHeaderSchema.optional(),
  body: personalText(MESSAGE_LIMITS.interactiveBody),
  footer,
  /** The button's label. */
  displayText: personalText(MESSAGE_LIMITS.ctaDisplayText),
  url: httpUrl({ placeholders: true }),
});

export const listRowSchema = z.strictObject({
  id: plainId(MESSAGE_LIMITS.rowId),
  title: personalText(MESSAGE_LIMITS.rowTitle),
  description: personalText(MESSAGE_LIMITS.rowDescription).optional(),
});

export const listSectionSchema = z.strictObject({
  /** Required for every section: SPEC says "each with a title" and Meta's list page marks it required. */
  title: personalText(MESSAGE_LIMITS.sectionTitle),
  rows: z.array(listRowSchema).superRefine(countBetween(1, MESSAGE_LIMITS.rowsTotal, { one: 'row', many: 'rows' })),
});

export const listContentSchema = z
  .strictObject({
    type: z.literal('list'),
    header: z
      .looseObject({ type: z.string() })
      .superRefine((header, ctx) => {
        if (header.type !== 'text') {
          ctx.addIssue({ code: 'custom', path: ['type'], message: 'must be text: WhatsApp allows only a text header on list messages' });
        }
      })
      .pipe(textHeaderSchema)
      .optional(),
    body: personalText(MESSAGE_LIMITS.listBody),
    footer,
    /** The label of the button that opens the list. */
    button: personalText(MESSAGE_LIMITS.listButton),
    sections: z.array(listSectionSchema).superRefine(countBetween(1, MESSAGE_LIMITS.sections, { one: 'section', many: 'sections' })),
  })
  .superRefine((list, ctx) => {
    const rows = list.sections.flatMap((section) => section.rows);
    if (rows.length > MESSAGE_LIMITS.rowsTotal) {
      ctx.addIssue({
        code: 'custom',
        path: ['sections'],
        message: `must have at most ${MESSAGE_LIMITS.rowsTotal} rows in total across all sections (got ${rows.length})`,
      });
    }
    const seen = new Set<string>();
    list.sections.forEach((section, s) =>
      section.rows.forEach((row, r) => {
        if (seen.has(row.id)) ctx.addIssue({ code: 'custom', path: ['sections', s, 'rows', r, 'id'], message: `must be unique: "${row.id}" is used by another row` });
        seen.add(row.id);
      }),
    );
  });

export const replyButtonSchema = z.strictObject({
  id: plainId(MESSAGE_LIMITS.replyButtonId),
  title: personalText(MESSAGE_LIMITS.replyButtonTitle),
});

export const buttonsContentSchema = z
  .strictObject({
    type: z.literal('buttons'),
    header: interactiveHeaderSchema.optional(),
    body: personalText(MESSAGE_LIMITS.interactiveBody),
    footer,
    buttons: z.array(replyButtonSchema).superRefine(countBetween(1, MESSAGE_LIMITS.replyButtons, { one: 'button', many: 'buttons' })),
  })
  .superRefine((content, ctx) => {
    const ids = new Set<string>();
    const titles = new Set<string>();
    content.buttons.forEach((button, index) => {
      if (ids.has(button.id)) ctx.addIssue({ code: 'custom', path: ['buttons', index, 'id'], message: `must be unique: "${button.id}" is used by another button` });
      if (titles.has(button.title)) ctx.addIssue({ code: 'custom', path: ['buttons', index, 'title'], message: `must be unique: "${button.title}" is used by another button` });
      ids.add(button.id);
      titles.add(button.title);
    });
  });

export const templateContentSchema = z
  .strictObject({
    type: z.literal('template'),
    /** The synced template this content sends (only APPROVED ones can be sent; the server checks that). */
    template: templateDefinitionSchema,
    /** A binding per slot key (see `parseTemplateSlots`). */
    bindings: z.record(z.string(), templateBindingSchema).default({}),
  })
  .superRefine((content, ctx) => {
    const checked = validateTemplateBindings(content.template, content.bindings);
    if (!checked.ok) {
      for (const error of checked.error) ctx.addIssue({ code: 'custom', path: error.path.split('.'), message: error.message });
    }
  });

export const MESSAGE_CONTENT_TYPES = ['template', 'text', 'image', 'video', 'document', 'cta_url', 'list', 'buttons'] as const;

export const messageContentSchema = z.discriminatedUnion(
  'type',
  [
    templateContentSchema,
    textContentSchema,
    imageContentSchema,
    videoContentSchema,
    documentContentSchema,
    ctaUrlContentSchema,
    listContentSchema,
    buttonsContentSchema,
  ],
  { error: `must be one of ${MESSAGE_CONTENT_TYPES.join(', ')}` },
);

export type MessageContent = z.infer<typeof messageContentSchema>;
export type MessageContentType = MessageContent['type'];
export type TemplateContent = z.infer<typeof templateContentSchema>;
export type TextContent = z.infer<typeof textContentSchema>;
export type ImageContent = z.infer<typeof imageContentSchema>;
export type VideoContent = z.infer<typeof videoContentSchema>;
export type DocumentContent = z.infer<typeof documentContentSchema>;
export type MediaContent = ImageContent | VideoContent | DocumentContent;
export type CtaUrlContent = z.infer<typeof ctaUrlContentSchema>;
export type ListContent = z.infer<typeof listContentSchema>;
export type ButtonsContent = z.infer<typeof buttonsContentSchema>;
export type InteractiveHeader = z.infer<typeof interactiveHeaderSchema>;
export type ListSection = z.infer<typeof listSectionSchema>;
export type ListRow = z.infer<typeof listRowSchema>;
export type ReplyButton = z.infer<typeof replyButtonSchema>;
