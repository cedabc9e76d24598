/**
 * The exact JSON body of `POST /{phone-number-id}/messages` for one content and one recipient
 * (NOTES §1.1–1.8). Pure: uploaded local files must already have Meta media ids, passed in `mediaIds`.
 */
import { err, ok } from '../shared/result';
import type { Result } from '../shared/result';
import { buildTemplateObject } from './build-template';
import type { MediaResolver } from './build-template';
import type {
  CloudApiEnvelope,
  CloudApiInteractive,
  CloudApiInteractiveHeader,
  CloudApiMedia,
  CloudApiMessageRequest,
} from './cloud-api-types';
import type { InteractiveHeader, MessageContent } from './content-schema';
import { MESSAGE_LIMITS, charCount } from './limits';
import type { NonTemplateContent } from './personal-texts';
import type { MessageRecipient } from './recipient';
import { renderContent } from './render-content';
import { renderFailure } from './render-failure';
import type { RenderFailure } from './render-failure';
import { renderTemplate } from './render-template';

export interface BuildSendRequestOptions {
  /** Echoed in this message's status webhooks (e.g. the delivery id); at most 512 characters. */
  bizOpaqueCallbackData?: string;
  /** Meta media id of each uploaded local file, by wareach `mediaFileId`, for the sending channel. */
  mediaIds?: Record<string, string>;
}

const E164 = /^\+[1-9]\d{6,14}$/;

function mediaResolver(mediaIds: Record<string, string>): MediaResolver {
  return (source, path) => {
    if (source.link !== undefined) return ok({ link: source.link });
    if (source.mediaFileId === undefined) return err(renderFailure('invalid_content', `${path} has neither a link nor a mediaFileId`, { path }));
    const id = mediaIds[source.mediaFileId];
    if (id === undefined) {
      return err(renderFailure('media_not_uploaded', `media file ${source.mediaFileId} has not been uploaded to this channel yet`, { path }));
    }
    return ok({ id });
  };
}

function buildHeader(header: InteractiveHeader, resolve: MediaResolver): Result<CloudApiInteractiveHeader, RenderFailure> {
  if (header.type === 'text') return ok({ type: 'text', text: header.text });
  const media = resolve(header, 'header');
  if (!media.ok) return media;
  switch (header.type) {
    case 'image':
      return ok({ type: 'image', image: media.value });
    case 'video':
      return ok({ type: 'video', video: media.value });
    case 'document':
      return ok({ type: 'document', document: media.value });
  }
}

function buildInteractive(
  content: Extract<NonTemplateContent, { type: 'cta_url' | 'list' | 'buttons' }>,
  resolve: MediaResolver,
): Result<CloudApiInteractive, RenderFailure> {
  const body = { text: content.body };
  const footer = content.footer === undefined ? {} : { footer: { text: content.footer } };
  if (content.type === 'list') {
    return ok({
      type: 'list',
      ...(content.header ? { header: { type: 'text', text: content.header.text } } : {}),
      body,
      ...footer,
      action: {
        button: content.button,
        sections: content.sections.map((section) => ({
          title: section.title,
          rows: section.rows.map((row) => ({
            id: row.id,
            title: row.title,
            ...(row.description === undefined ? {} : { description: row.description }),
          })),
        })),
      },
    });
  }
  let header: { header?: CloudApiInteractiveHeader } = {};
  if (content.header) {
    const built = buildHeader(content.header, resolve);
    if (!built.ok) return built;
    header = { header: built.value };
  }
  if (content.type === 'cta_url') {
    return ok({
      type: 'cta_url',
      ...header,
      body,
      ...footer,
      action: { name: 'cta_url', parameters: { display_text: content.displayText, url: content.url } },
    });
  }
  return ok({
    type: 'button',
    ...header,
    body,
    ...footer,
    action: { buttons: content.buttons.map((button) => ({ type: 'reply', reply: { id: button.id, title: button.title } })) },
  });
}

type MessagePart = Result<DistributiveOmit<CloudApiMessageRequest, keyof CloudApiEnvelope>, RenderFailure>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function buildPart(content: NonTemplateContent, resolve: MediaResolver): MessagePart {
  switch (content.type) {
    case 'text':
      return ok({ type: 'text', text: { body: content.body, ...(content.previewUrl === undefined ? {} : { preview_url: content.previewUrl }) } });
    case 'image':
    case 'video':
    case 'document': {
      const media = resolve(content, content.link === undefined ? 'mediaFileId' : 'link');
      if (!media.ok) return media;
      const object: CloudApiMedia & { caption?: string; filename?: string } = {
        ...media.value,
        ...(content.caption === undefined ? {} : { caption: content.caption }),
        ...(content.type === 'document' && content.filename !== undefined ? { filename: content.filename } : {}),
      };
      if (content.type === 'image') return ok({ type: 'image', image: object });
      if (content.type === 'video') return ok({ type: 'video', video: object });
      return ok({ type: 'document', document: object });
    }
    case 'cta_url':
    case 'list':
    case 'buttons': {
      const interactive = buildInteractive(content, resolve);
      return interactive.ok ? ok({ type: 'interactive', interactive: interactive.value }) : interactive;
    }
  }
}

/**
 * Personalises `content` for `recipient` and builds the request body. Fails, for this recipient only,
 * when a value is missing without a default, a field is too long once personalised, an uploaded file
 * has no media id, or the phone is not E.164.
 */
export function buildSendRequest(
  content: MessageContent,
  recipient: MessageRecipient,
  opts: BuildSendRequestOptions = {},
): Result<CloudApiMessageRequest, RenderFailure> {
  if (!E164.test(recipient.phone)) {
    return err(renderFailure('invalid_phone', `phone "${recipient.phone}" is not in E.164 form (+ and 7 to 15 digits)`));
  }
  const callback = opts.bizOpaqueCallbackData;
  if (callback !== undefined && charCount(callback) > MESSAGE_LIMITS.bizOpaqueCallbackData) {
    return err(renderFailure('invalid_content', `biz_opaque_callback_data must be at most ${MESSAGE_LIMITS.bizOpaqueCallbackData} characters`));
  }
  const envelope: CloudApiEnvelope = {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: recipient.phone,
    ...(callback === undefined ? {} : { biz_opaque_callback_data: callback }),
  };
  const resolve = mediaResolver(opts.mediaIds ?? {});
  let part: MessagePart;
  if (content.type === 'template') {
    const rendered = renderTemplate(content, recipient);
    if (!rendered.ok) return rendered;
    const template = buildTemplateObject(content, rendered.value, resolve);
    part = template.ok ? ok({ type: 'template', template: template.value }) : template;
  } else {
    const rendered = renderContent(content, recipient);
    if (!rendered.ok) return rendered;
    part = buildPart(rendered.value, resolve);
  }
  return part.ok ? ok({ ...envelope, ...part.value }) : part;
}
