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
import type { StatusInput } from '../webhooks/webhook-payloads';
import type { Accounts } from './accounts';

/** A status webhook waiting for its time; `at` is filled in when it is released. */
export type StatusEvent = Omit<StatusInput, 'at'> & { phoneNumberId: string };

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
