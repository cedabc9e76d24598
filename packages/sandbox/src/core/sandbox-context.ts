/**
 * The sandbox's state and collaborators, shared by the use-cases (send, upload, templates, inbox). Created
 * once by createSandbox; `config` and `accounts` are replaced together when the configuration changes.
 */
import type { SandboxConfig } from '../config/sandbox-config';
import { fail, type MetaFailure } from '../graph/graph-error';
import type { MessageLog } from '../log/message-log';
import type { MediaStore } from '../media/media-store';
import type { IdSource } from '../shared/ids';
import type { Random } from '../shared/random';
import type { Clock, Scheduler } from '../shared/time';
import type { TemplateStore } from '../templates/template-store';
import type { WebhookDispatcher } from '../webhooks/webhook-dispatcher';
import type { TimedQueue } from '../webhooks/timed-queue';
import type { MetaErrorCode } from '../graph/graph-error';
import type { Accounts } from './accounts';

/**
 * The status webhooks still due for one accepted message. One object per message walks through its stages
 * (sent → delivered → read, or failed) and is re-queued for the next one, rather than three objects queued
 * up front: at benchmark rates the allocations matter.
 */
export interface StatusEvent {
  wamid: string;
  phoneNumberId: string;
  recipientId: string;
  bizOpaque: string | undefined;
  /** Pricing category: a template's category (lower-case) or 'service'. */
  category: string;
  free: boolean;
  graphVersion: number;
  /** Log sequence number, the source of the conversation id. */
  seq: number;
  acceptedAt: number;
  stage: 'sent' | 'delivered' | 'read' | 'failed';
  /** Stages that follow this one: 0 none, 1 delivered, 2 delivered then read. */
  remaining: number;
  error: { code: MetaErrorCode; details: string } | undefined;
}

export interface SandboxContext {
  config: SandboxConfig;
  accounts: Accounts;
  /** Fault lists as sets of wa_ids, rebuilt with the config. */
  unreachable: Set<string>;
  marketingBlocked: Set<string>;
  now: Clock;
  scheduler: Scheduler;
  random: Random;
  ids: IdSource;
  log: MessageLog;
  templates: TemplateStore;
  /** Why each rejected template was rejected, by template id (Meta only gives the reason code). */
  templateNotes: Map<string, string>;
  media: MediaStore;
  dispatcher: WebhookDispatcher;
  statuses: TimedQueue<StatusEvent>;
  /** Token buckets per phone number (throughput). */
  throughput: Map<string, { tokens: number; at: number }>;
}

/** A Graph API answer: HTTP status and JSON body (a pre-serialised string on the hot path). */
export interface GraphReply {
  status: number;
  body: unknown;
}

export function delay(ctx: SandboxContext, ms: number): Promise<void> {
  return new Promise((resolve) => ctx.scheduler.setTimeout(resolve, ms));
}

export type AuthCheck = { ok: true } | { ok: false; failure: MetaFailure };

/** Bearer token check (190 for a missing or unknown token; a token of another WABA cannot see the object). */
export function checkToken(
  ctx: SandboxContext,
  token: string | undefined,
  object?: { wabaId: string; id: string; method: 'get' | 'post' | 'delete' },
): AuthCheck {
  if (!token) {
    return { ok: false, failure: fail(190, 'An access token is required to request this resource.', { message: 'An access token is required to request this resource.' }) };
  }
  if (!ctx.accounts.tokenKnown(token)) {
    return { ok: false, failure: fail(190, 'Invalid OAuth access token.', { message: 'Invalid OAuth access token - Cannot parse access token' }) };
  }
  if (object && !ctx.accounts.tokenAllowed(token, object.wabaId)) {
    return { ok: false, failure: unknownObject(object.id, object.method) };
  }
  return { ok: true };
}

/** Graph's answer for an id that does not exist or the token may not see (code 100, subcode 33). */
export function unknownObject(id: string, method: 'get' | 'post' | 'delete'): MetaFailure {
  const verb = method === 'get' ? 'get' : method === 'delete' ? 'delete' : 'post';
  return fail(100, `Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`, {
    subcode: 33,
    message: `Unsupported ${verb} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
  });
}
