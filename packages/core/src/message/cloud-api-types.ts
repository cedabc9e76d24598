/**
 * The JSON body of `POST /{phone-number-id}/messages` for the kinds we send (NOTES §1.1–1.8, Meta's
 * `Message` schema plus the parts its OpenAPI file lacks: `cta_url`, `parameter_name`, `coupon_code`).
 * Field names are Meta's, snake_case.
 */

export type CloudApiMedia = { id: string } | { link: string };

export interface CloudApiEnvelope {
  messaging_product: 'whatsapp';
  recipient_type: 'individual';
  /** E.164 with its leading `+`: without it Meta prepends the sender's own country code (NOTES §1.1). */
  to: string;
  /** Echoed back in status webhooks; at most 512 characters. */
  biz_opaque_callback_data?: string;
}

export interface CloudApiText {
  body: string;
  preview_url?: boolean;
}

export type CloudApiCaptionedMedia = CloudApiMedia & { caption?: string };
export type CloudApiDocument = CloudApiMedia & { caption?: string; filename?: string };

export type CloudApiInteractiveHeader =
  | { type: 'text'; text: string }
  | { type: 'image'; image: CloudApiMedia }
  | { type: 'video'; video: CloudApiMedia }
  | { type: 'document'; document: CloudApiMedia };

interface CloudApiInteractiveBase {
  body: { text: string };
  footer?: { text: string };
}

export interface CloudApiCtaUrl extends CloudApiInteractiveBase {
  type: 'cta_url';
  header?: CloudApiInteractiveHeader;
  action: { name: 'cta_url'; parameters: { display_text: string; url: string } };
}

export interface CloudApiListRow {
  id: string;
  title: string;
  description?: string;
}

export interface CloudApiList extends CloudApiInteractiveBase {
  type: 'list';
  header?: { type: 'text'; text: string };
  action: { button: string; sections: Array<{ title: string; rows: CloudApiListRow[] }> };
}

export interface CloudApiReplyButtons extends CloudApiInteractiveBase {
  type: 'button';
  header?: CloudApiInteractiveHeader;
  action: { buttons: Array<{ type: 'reply'; reply: { id: string; title: string } }> };
}

export type CloudApiInteractive = CloudApiCtaUrl | CloudApiList | CloudApiReplyButtons;

export type CloudApiTemplateParameter =
  | { type: 'text'; text: string; parameter_name?: string }
  | { type: 'image'; image: CloudApiMedia }
  | { type: 'video'; video: CloudApiMedia }
  | { type: 'document'; document: CloudApiMedia }
  | { type: 'location'; location: { latitude: string; longitude: string; name?: string; address?: string } };

export type CloudApiTemplateComponent =
  | { type: 'header'; parameters: CloudApiTemplateParameter[] }
  | { type: 'body'; parameters: CloudApiTemplateParameter[] }
  /** `index` is the button's 0-based position in the template, as a string like Meta's examples. */
  | { type: 'button'; sub_type: 'url'; index: string; parameters: Array<{ type: 'text'; text: string }> }
  | { type: 'button'; sub_type: 'copy_code'; index: string; parameters: Array<{ type: 'coupon_code'; coupon_code: string }> };

export interface CloudApiTemplate {
  name: string;
  language: { code: string };
  /** Absent when the template has no variables. */
  components?: CloudApiTemplateComponent[];
}

export type CloudApiMessageRequest = CloudApiEnvelope &
  (
    | { type: 'text'; text: CloudApiText }
    | { type: 'image'; image: CloudApiCaptionedMedia }
    | { type: 'video'; video: CloudApiCaptionedMedia }
    | { type: 'document'; document: CloudApiDocument }
    | { type: 'interactive'; interactive: CloudApiInteractive }
    | { type: 'template'; template: CloudApiTemplate }
  );
