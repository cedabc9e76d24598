/**
 * Why one recipient's message could not be rendered or built. It fails that delivery only (SPEC §5 step 7),
 * so it is a value carrying a reason an operator can read, never an exception.
 */
export type RenderFailureCode =
  /** A placeholder or binding had no value for this recipient and no default. `missing` lists them. */
  | 'missing_value'
  /** A field is over its limit once personalised (e.g. a 20-character button title). */
  | 'too_long'
  /** A personalised value is not acceptable where it lands (a URL that no longer parses, a newline in a template parameter). */
  | 'invalid_value'
  /** The recipient's phone is not E.164 with a leading `+` (Meta would prepend the sender's country code). */
  | 'invalid_phone'
  /** An uploaded local file has no Meta media id yet for this channel. */
  | 'media_not_uploaded'
  /** The content itself is invalid (it should have been refused by `validateContent`). */
  | 'invalid_content';

export interface RenderFailure {
  code: RenderFailureCode;
  reason: string;
  /** Placeholder keys with no value, e.g. `attr.city`, `tag.level`, `id`. Empty unless `missing_value`. */
  missing: string[];
  /** The content field at fault, dot-separated like a `FieldError` path, when there is one. */
  path?: string;
}

export const renderFailure = (
  code: RenderFailureCode,
  reason: string,
  extra: { missing?: string[]; path?: string } = {},
): RenderFailure => ({
  code,
  reason,
  missing: extra.missing ?? [],
  ...(extra.path === undefined ? {} : { path: extra.path }),
});
