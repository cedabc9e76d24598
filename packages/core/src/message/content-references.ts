/**
 * What profile data a content inserts. SPEC step 3: a CSV recipient without a profile is still sent
 * to, unless the content inserts attributes, tags or the ID; then that recipient fails with a clear
 * reason. `{{phone}}` needs no profile: every recipient has a phone.
 */
import type { MessageContent, TemplateContent } from './content-schema';
import { mapPersonalTexts } from './personal-texts';
import { parsePlaceholders } from './placeholders';
import { bindingKey } from './render-template';

/** Template content may only go outside the 24-hour customer-service window (SPEC §5 step 4). */
export function isTemplateContent(content: MessageContent): content is TemplateContent {
  return content.type === 'template';
}

/**
 * Keys of the values a content inserts (`attr.city`, `tag.level`, `id`, `phone`), distinct, in field
 * order; those with a default are included, since they still read the profile.
 */
export function contentReferences(content: MessageContent): string[] {
  const keys: string[] = [];
  if (isTemplateContent(content)) {
    for (const binding of Object.values(content.bindings)) {
      if (binding.kind === 'media' || binding.kind === 'location') continue;
      const key = bindingKey(binding);
      if (key !== undefined) keys.push(key);
    }
  } else {
    mapPersonalTexts(content, (text) => {
      keys.push(...parsePlaceholders(text).map((ref) => ref.key));
      return text;
    });
  }
  return [...new Set(keys)];
}

/** True when the content inserts attributes, tags or the one-ID, which a recipient without a profile lacks. */
export function contentNeedsProfile(content: MessageContent): boolean {
  return contentReferences(content).some((key) => key !== 'phone');
}
