/**
 * Graph nodes other than messages and templates: phone numbers (`GET /{phone-number-id}`, the "check
 * connection" call), WABAs and their phone_numbers edge, media upload / lookup / delete and the short-lived
 * media download URL (NOTES 2: the URL expires after 5 minutes and needs the bearer token).
 */
import { fail } from '../graph/graph-error';
import { checkUpload } from '../media/media-store';
import { projectTemplate } from './template-service';
import { refusal } from './send-message';
import { checkToken, unknownObject, type GraphReply, type SandboxContext } from './sandbox-context';
import type { PhoneNumber } from './accounts';

const MEDIA_URL_TTL_MS = 5 * 60_000;
const MEDIA_ID_TTL_MS = 30 * 24 * 3600_000;

function project(full: Record<string, unknown>, fields: string | undefined, defaults: readonly string[]): Record<string, unknown> {
  const wanted = fields ? ['id', ...fields.split(',').map((f) => f.trim()).filter(Boolean)] : defaults;
  const out: Record<string, unknown> = {};
  for (const k of wanted) if (k in full) out[k] = full[k];
  return out;
}

const PHONE_DEFAULT_FIELDS = ['verified_name', 'code_verification_status', 'display_phone_number', 'quality_rating', 'platform_type', 'throughput', 'webhook_configuration', 'id'];

function phoneInfo(ctx: SandboxContext, phone: PhoneNumber): Record<string, unknown> {
  const limit = phone.config.throughputPerSecond ?? ctx.config.faults.throughputPerSecond;
  const webhook = ctx.accounts.webhookTarget(phone.config.id);
  return {
    id: phone.config.id,
    verified_name: phone.config.verifiedName ?? phone.waba.name ?? 'Sandbox Business',
    display_phone_number: phone.config.displayPhoneNumber,
    code_verification_status: 'VERIFIED',
    quality_rating: phone.config.qualityRating ?? 'GREEN',
    platform_type: 'CLOUD_API',
    name_status: 'APPROVED',
    status: 'CONNECTED',
    throughput: { level: limit === 0 || limit >= 1000 ? 'HIGH' : 'STANDARD' },
    whatsapp_business_manager_messaging_limit: 'TIER_UNLIMITED',
    ...(webhook ? { webhook_configuration: { application: webhook.url } } : {}),
  };
}

export function getObject(
  ctx: SandboxContext,
  input: { id: string; token: string | undefined; fields: string | undefined; baseUrl: string },
): GraphReply {
  const phone = ctx.accounts.phone(input.id);
  const waba = ctx.accounts.waba(input.id);
  const media = ctx.media.get(input.id);
  const template = ctx.templates.get(input.id);
  const owner = phone?.waba.id ?? waba?.id ?? (media ? ctx.accounts.phone(media.phoneNumberId)?.waba.id : undefined) ?? template?.wabaId;
  const auth = checkToken(ctx, input.token, owner ? { wabaId: owner, id: input.id, method: 'get' } : undefined);
  if (!auth.ok) return refusal(ctx, auth.failure);
  if (phone) return { status: 200, body: project(phoneInfo(ctx, phone), input.fields, PHONE_DEFAULT_FIELDS) };
  if (waba) {
    const full = {
      id: waba.id,
      name: waba.name ?? 'Sandbox WABA',
      currency: waba.currency ?? 'USD',
      timezone_id: waba.timezoneId ?? '1',
      message_template_namespace: `sandbox_${waba.id}`,
      account_review_status: 'APPROVED',
    };
    return { status: 200, body: project(full, input.fields, Object.keys(full)) };
  }
  if (media && ctx.now() - media.createdAt < MEDIA_ID_TTL_MS) {
    const expires = ctx.now() + MEDIA_URL_TTL_MS;
    return {
      status: 200,
      body: {
        messaging_product: 'whatsapp',
        url: `${input.baseUrl}/sandbox/media/${media.id}?ext=${expires}`,
        mime_type: media.mimeType,
        sha256: media.sha256,
        file_size: media.fileSize,
        id: media.id,
      },
    };
  }
  if (template) return { status: 200, body: projectTemplate(template.template, input.fields?.split(',').map((f) => f.trim())) };
  return refusal(ctx, unknownObject(input.id, 'get'));
}

export function deleteObject(ctx: SandboxContext, input: { id: string; token: string | undefined }): GraphReply {
  const media = ctx.media.get(input.id);
  const owner = media ? ctx.accounts.phone(media.phoneNumberId)?.waba.id : undefined;
  const auth = checkToken(ctx, input.token, owner ? { wabaId: owner, id: input.id, method: 'delete' } : undefined);
  if (!auth.ok) return refusal(ctx, auth.failure);
  if (!media) return refusal(ctx, unknownObject(input.id, 'delete'));
  ctx.media.delete(input.id);
  return { status: 200, body: { success: true } };
}

export function listPhoneNumbers(ctx: SandboxContext, input: { wabaId: string; token: string | undefined; fields: string | undefined }): GraphReply {
  const waba = ctx.accounts.waba(input.wabaId);
  const auth = checkToken(ctx, input.token, waba ? { wabaId: waba.id, id: input.wabaId, method: 'get' } : undefined);
  if (!auth.ok) return refusal(ctx, auth.failure);
  if (!waba) return refusal(ctx, unknownObject(input.wabaId, 'get'));
  const data = waba.phoneNumbers.map((p) => project(phoneInfo(ctx, ctx.accounts.phone(p.id)!), input.fields, PHONE_DEFAULT_FIELDS));
  const first = data[0]?.['id'];
  const last = data[data.length - 1]?.['id'];
  const cursor = (v: unknown): string => Buffer.from(String(v)).toString('base64url');
  return { status: 200, body: { data, paging: first !== undefined ? { cursors: { before: cursor(first), after: cursor(last) } } : {} } };
}

export interface UploadInput {
  phoneNumberId: string;
  token: string | undefined;
  messagingProduct: string | undefined;
  /** The `type` form field, else the file part's Content-Type. */
  mimeType: string | undefined;
  file: { data: Buffer; truncated: boolean } | undefined;
}

export function uploadMedia(ctx: SandboxContext, input: UploadInput): GraphReply {
  const phone = ctx.accounts.phone(input.phoneNumberId);
  const auth = checkToken(ctx, input.token, phone ? { wabaId: phone.waba.id, id: input.phoneNumberId, method: 'post' } : undefined);
  if (!auth.ok) return refusal(ctx, auth.failure);
  if (!phone) return refusal(ctx, unknownObject(input.phoneNumberId, 'post'));
  if (input.messagingProduct !== 'whatsapp') return refusal(ctx, fail(100, "The parameter messaging_product is required and must be 'whatsapp'."));
  if (!input.file) return refusal(ctx, fail(100, 'The parameter file is required.'));
  const checked = checkUpload(input.mimeType ?? '', input.file.data, input.file.truncated);
  if (!checked.ok) return refusal(ctx, checked.failure);
  const media = ctx.media.add(ctx.ids.objectId(), phone.config.id, input.mimeType ?? '', checked.kind, input.file.data, ctx.now());
  return { status: 200, body: { id: media.id } };
}

/** Bytes behind a media URL from `GET /{media-id}`: needs a valid token and an unexpired URL. */
export function downloadMedia(
  ctx: SandboxContext,
  input: { id: string; token: string | undefined; ext: string | undefined },
): { status: number; body: unknown; mimeType?: string } {
  const auth = checkToken(ctx, input.token);
  if (!auth.ok) return refusal(ctx, auth.failure);
  const media = ctx.media.get(input.id);
  if (!media || !input.ext || Number(input.ext) < ctx.now()) return { status: 404, body: { error: { message: 'URL expired or media not found', code: 404 } } };
  return { status: 200, body: media.data, mimeType: media.mimeType };
}
