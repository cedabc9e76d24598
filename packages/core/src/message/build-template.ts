/**
 * The `template` object of a send request from a rendered template (NOTES §1.8): header parameter,
 * body parameters in slot order (`parameter_name` on each for NAMED templates), then a `button`
 * component per URL suffix or coupon code, with the button's 0-based index as a string.
 */
import { err, ok } from '../shared/result';
import type { Result } from '../shared/result';
import type { CloudApiMedia, CloudApiTemplate, CloudApiTemplateComponent, CloudApiTemplateParameter } from './cloud-api-types';
import type { TemplateContent } from './content-schema';
import type { RenderFailure } from './render-failure';
import type { RenderedTemplate } from './render-template';

export type MediaResolver = (
  source: { link?: string | undefined; mediaFileId?: string | undefined },
  path: string,
) => Result<CloudApiMedia, RenderFailure>;

export function buildTemplateObject(
  content: TemplateContent,
  rendered: RenderedTemplate,
  resolveMedia: MediaResolver,
): Result<CloudApiTemplate, RenderFailure> {
  const header: CloudApiTemplateParameter[] = [];
  const body: CloudApiTemplateParameter[] = [];
  const buttons: CloudApiTemplateComponent[] = [];
  for (const slot of rendered.slots) {
    const value = rendered.values[slot.key];
    if (value === undefined) continue;
    const named = 'parameterName' in slot && slot.parameterName !== undefined ? { parameter_name: slot.parameterName } : {};
    switch (slot.kind) {
      case 'header_text':
      case 'body_text': {
        if (value.kind !== 'text') continue;
        (slot.kind === 'header_text' ? header : body).push({ type: 'text', text: value.text, ...named });
        break;
      }
      case 'header_media': {
        if (value.kind !== 'media') continue;
        const media = resolveMedia(value, `bindings.${slot.key}`);
        if (!media.ok) return err(media.error);
        if (slot.format === 'image') header.push({ type: 'image', image: media.value });
        else if (slot.format === 'video') header.push({ type: 'video', video: media.value });
        else header.push({ type: 'document', document: media.value });
        break;
      }
      case 'header_location': {
        if (value.kind !== 'location') continue;
        header.push({
          type: 'location',
          location: {
            latitude: String(value.latitude),
            longitude: String(value.longitude),
            ...(value.name === undefined ? {} : { name: value.name }),
            ...(value.address === undefined ? {} : { address: value.address }),
          },
        });
        break;
      }
      case 'button_url':
        if (value.kind === 'text') {
          buttons.push({ type: 'button', sub_type: 'url', index: String(slot.buttonIndex), parameters: [{ type: 'text', text: value.text }] });
        }
        break;
      case 'button_coupon':
        if (value.kind === 'text') {
          buttons.push({
            type: 'button',
            sub_type: 'copy_code',
            index: String(slot.buttonIndex),
            parameters: [{ type: 'coupon_code', coupon_code: value.text }],
          });
        }
        break;
    }
  }
  const components: CloudApiTemplateComponent[] = [
    ...(header.length > 0 ? [{ type: 'header' as const, parameters: header }] : []),
    ...(body.length > 0 ? [{ type: 'body' as const, parameters: body }] : []),
    ...buttons,
  ];
  return ok({
    name: content.template.name,
    language: { code: content.template.language },
    ...(components.length > 0 ? { components } : {}),
  });
}
