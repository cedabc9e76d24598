/**
 * Every length and count limit on message content, in one table. Each is the stricter of the product
 * spec (SPEC step 5, from the vendor source) and Meta's published limit (whatsapp-spec NOTES §1.9), so that
 * nothing accepted here is refused by WhatsApp. Where they differ the comment says so.
 */
export const MESSAGE_LIMITS = {
  /** text message body (Meta text-messages; SPEC 4096). */
  textBody: 4096,
  /** image / video / document caption (Meta media pages). */
  caption: 1024,
  /** list body: Meta's list page allows 4096, the same as SPEC. */
  listBody: 4096,
  /** reply-button and cta_url bodies: Meta says 1024, stricter than SPEC's 4096. */
  interactiveBody: 1024,
  headerText: 60,
  footer: 60,
  /** cta_url `display_text` (SPEC "button text ≤ 20"; Meta 20). */
  ctaDisplayText: 20,
  /** list `action.button`. */
  listButton: 20,
  /** Meta only; SPEC does not limit section titles. */
  sectionTitle: 24,
  rowTitle: 24,
  rowDescription: 72,
  /** Meta only. */
  rowId: 200,
  /** SPEC "sections 1 to 10". */
  sections: 10,
  /** Meta: 10 rows in total across all sections (SPEC said 1..10, read per section). */
  rowsTotal: 10,
  /** Meta: 1..3 reply buttons (SPEC set no number). */
  replyButtons: 3,
  replyButtonId: 256,
  replyButtonTitle: 20,
  /** Document filename: Meta publishes no limit; 255 is the usual file-system limit on a name. */
  filename: 255,
  /** Rendered ("hydrated") template body and header text (Meta components page, error 132005). */
  templateBody: 1024,
  templateHeaderText: 60,
  /** Template URL after the suffix is appended (Meta components page). */
  templateUrl: 2000,
  /** copy_code button `coupon_code` (Meta coupon-templates page). */
  couponCode: 15,
  /** `biz_opaque_callback_data` (Meta; SPEC `CallRequestPayload` gives the same 512). */
  bizOpaqueCallbackData: 512,
} as const;

/**
 * Length as a reader counts it: Unicode code points, the way JSON Schema's `maxLength` counts (and so
 * Meta's own OpenAPI file). An emoji is one character here, two UTF-16 units in `String.length`.
 */
export function charCount(text: string): number {
  return Array.from(text).length;
}

export const tooLongMessage = (max: number, got: number, suffix = ''): string =>
  `must be at most ${max} characters (got ${got}${suffix})`;
