import { backoffDelay, type CloudApiMessageRequest } from '@wareach/core';
import { FormData } from 'undici';
import { createGraphHttp, type GraphFailure, type GraphHttpOptions, type GraphRequest, type GraphResult, type GraphTarget } from './graph-http';
import type { RateLimiter } from './rate-limiter';

export type { GraphFailure, GraphResult, GraphTarget } from './graph-http';

/**
 * The WhatsApp Cloud API client (an adapter): sends messages, uploads media, lists and creates templates,
 * reads phone numbers. Every call returns a typed outcome; nothing throws for a Graph or network failure.
 *
 * Sending keeps to the phone number's throughput through the rate-limiter port, and retries by itself
 * what is worth retrying soon (throttling: 130429, 131056, 4, 80007; 5xx, network errors, timeouts), with
 * core's backoff and jitter. A wait longer than `retry.maxWaitMs` is not slept through: the failure comes
 * back with `retryAfterMs` so the caller's queue can hold the message instead of a worker.
 */
export interface SendContext extends GraphTarget {
  phoneNumberId: string;
  /** Messages per second for this number; 0 or absent: no local limit. */
  throughput?: number;
}

export type SendOutcome =
  | { kind: 'accepted'; wamid: string; waId: string; attempts: number; messageStatus?: string }
  | ({
      kind: 'failed';
      attempts: number;
      /** Set when the failure is retryable but the next try is further off than the client waits itself. */
      retryAfterMs?: number;
    } & GraphFailure);

export interface RetryPolicy {
  /** Attempts in all, the first included (default 4). 1 disables retrying. */
  maxAttempts: number;
  /** Longest backoff the client sleeps through itself (default 15 s). */
  maxWaitMs: number;
}

export interface CloudApiClientOptions extends GraphHttpOptions {
  limiter?: RateLimiter;
  retry?: Partial<RetryPolicy>;
  /** Injected for tests: how to wait, and the jitter source. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface MediaInfo {
  id: string;
  url: string;
  mime_type: string;
  sha256: string;
  file_size: number;
  messaging_product?: string;
}

/** A template as `GET /{waba-id}/message_templates` returns it (NOTES section 6). */
export interface MetaTemplate {
  id: string;
  name: string;
  language: string;
  status: string;
  category?: string;
  parameter_format?: string;
  components?: unknown[];
  rejected_reason?: string;
  quality_score?: { score?: string };
  [k: string]: unknown;
}

export interface CreateTemplateInput {
  name: string;
  language: string;
  category: string;
  components: unknown[];
  parameter_format?: 'POSITIONAL' | 'NAMED';
  allow_category_change?: boolean;
}

export interface PhoneNumberInfo {
  id: string;
  display_phone_number?: string;
  verified_name?: string;
  quality_rating?: string;
  throughput?: { level?: string };
  whatsapp_business_manager_messaging_limit?: string;
  [k: string]: unknown;
}

interface SendResponse {
  contacts?: { input?: string; wa_id?: string }[];
  messages?: { id?: string; message_status?: string }[];
}

const TEMPLATE_FIELDS = 'id,name,language,status,category,sub_category,parameter_format,components,rejected_reason,quality_score';

export function createCloudApiClient(opts: CloudApiClientOptions = {}) {
  const http = createGraphHttp(opts);
  const policy: RetryPolicy = { maxAttempts: opts.retry?.maxAttempts ?? 4, maxWaitMs: opts.retry?.maxWaitMs ?? 15_000 };
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = opts.random ?? Math.random;

  /**
   * Runs `attempt` until it succeeds, fails for good, runs out of attempts, or asks for a longer wait than
   * we sleep through. `before` runs ahead of every attempt (the rate limiter).
   */
  async function withRetry<T>(attempt: () => Promise<GraphResult<T>>, before?: () => Promise<void>): Promise<{ result: GraphResult<T>; attempts: number; retryAfterMs?: number }> {
    for (let n = 1; ; n++) {
      if (before) await before();
      const result = await attempt();
      if (result.ok) return { result, attempts: n };
      const c = result.error.classification;
      if (!c.retryable || !c.backoff) return { result, attempts: n };
      const wait = backoffDelay(n, c.backoff, random);
      if (n >= policy.maxAttempts) return { result, attempts: n, retryAfterMs: wait };
      if (wait > policy.maxWaitMs) return { result, attempts: n, retryAfterMs: wait };
      await sleep(wait);
    }
  }

  const call = <T>(target: GraphTarget, req: GraphRequest) => withRetry(() => http.request<T>(target, req));
  const plain = async <T>(target: GraphTarget, req: GraphRequest): Promise<GraphResult<T>> => (await call<T>(target, req)).result;

  return {
    /** `POST /{phone-number-id}/messages`. `body` comes from core's buildSendRequest (our delivery id rides in biz_opaque_callback_data). */
    async sendMessage(ctx: SendContext, body: CloudApiMessageRequest | Record<string, unknown>, o: { leaveWithinMs?: number } = {}): Promise<SendOutcome> {
      const limiter = opts.limiter;
      const throughput = ctx.throughput ?? 0;
      const before = limiter && throughput > 0
        ? async () => {
            const wait = await limiter.reserve(ctx.phoneNumberId, { perSecond: throughput });
            if (wait > 0) await sleep(wait);
          }
        : undefined;
      const path = `/${ctx.phoneNumberId}/messages`;
      const r = await withRetry(() => http.request<SendResponse>(ctx, { method: 'POST', path, json: body, ...(o.leaveWithinMs !== undefined ? { leaveWithinMs: o.leaveWithinMs } : {}) }), before);
      if (!r.result.ok) {
        return { kind: 'failed', attempts: r.attempts, ...(r.retryAfterMs !== undefined ? { retryAfterMs: r.retryAfterMs } : {}), ...r.result.error };
      }
      const v = r.result.value;
      const wamid = v.messages?.[0]?.id;
      if (!wamid) {
        return {
          kind: 'failed', attempts: r.attempts, code: null, title: 'Malformed response', message: 'the send was answered without messages[0].id',
          httpStatus: r.result.httpStatus, classification: { kind: 'permanent', retryable: false, mayHaveSent: true },
        };
      }
      const to = (body as { to?: unknown }).to;
      const status = v.messages?.[0]?.message_status;
      return {
        kind: 'accepted',
        wamid,
        waId: v.contacts?.[0]?.wa_id ?? (typeof to === 'string' ? to.replace(/^\+/, '') : ''),
        attempts: r.attempts,
        ...(status ? { messageStatus: status } : {}),
      };
    },

    /** `POST /{phone-number-id}/media` (multipart: messaging_product, type, file). Meta keeps the id 30 days. */
    async uploadMedia(ctx: SendContext, file: { data: Blob; mimeType: string; filename: string }): Promise<GraphResult<{ id: string }>> {
      return plain(ctx, {
        method: 'POST',
        path: `/${ctx.phoneNumberId}/media`,
        get form() {
          // A fresh form per attempt: a FormData body is consumed by the request.
          const form = new FormData();
          form.append('messaging_product', 'whatsapp');
          form.append('type', file.mimeType);
          form.append('file', new Blob([file.data], { type: file.mimeType }), file.filename);
          return form;
        },
      });
    },

    /** `GET /{media-id}`: its short-lived download URL (5 minutes), type, hash and size. */
    getMedia: (target: GraphTarget, mediaId: string, phoneNumberId?: string) =>
      plain<MediaInfo>(target, { method: 'GET', path: `/${mediaId}`, query: { phone_number_id: phoneNumberId } }),

    /** Every template of the WABA, following the cursor pages to the end. */
    async listTemplates(target: GraphTarget, wabaId: string, o: { pageSize?: number; maxPages?: number } = {}): Promise<GraphResult<MetaTemplate[]> & { pages?: number }> {
      const all: MetaTemplate[] = [];
      let req: GraphRequest = { method: 'GET', path: `/${wabaId}/message_templates`, query: { fields: TEMPLATE_FIELDS, limit: o.pageSize ?? 100 } };
      for (let page = 1; page <= (o.maxPages ?? 1000); page++) {
        const r = await plain<{ data?: MetaTemplate[]; paging?: { next?: string; cursors?: { after?: string } } }>(target, req);
        if (!r.ok) return r;
        all.push(...(r.value.data ?? []));
        const next = r.value.paging?.next;
        const after = r.value.paging?.cursors?.after;
        // Meta sends `next` only when another page exists; its host is Meta's, so we follow the cursor on
        // our own base URL (a proxy or the sandbox) and never send the token to a host from a response.
        if (!next) return { ok: true, value: all, httpStatus: r.httpStatus, pages: page };
        req = after
          ? { method: 'GET', path: `/${wabaId}/message_templates`, query: { fields: TEMPLATE_FIELDS, limit: o.pageSize ?? 100, after } }
          : { method: 'GET', path: '', rawPath: http.localPath(next) };
      }
      return { ok: true, value: all, httpStatus: 200 };
    },

    /** `POST /{waba-id}/message_templates`: submits for review; Meta answers {id, status, category}. */
    createTemplate: (target: GraphTarget, wabaId: string, input: CreateTemplateInput) =>
      plain<{ id: string; status: string; category: string }>(target, { method: 'POST', path: `/${wabaId}/message_templates`, json: input }),

    /** `GET /{phone-number-id}`: the "check connection" call. */
    getPhoneNumber: (target: GraphTarget, phoneNumberId: string, fields = 'id,display_phone_number,verified_name,quality_rating,throughput,whatsapp_business_manager_messaging_limit') =>
      plain<PhoneNumberInfo>(target, { method: 'GET', path: `/${phoneNumberId}`, query: { fields } }),

    close: () => http.close(),
  };
}
export type CloudApiClient = ReturnType<typeof createCloudApiClient>;
export type { RateLimiter } from './rate-limiter';
