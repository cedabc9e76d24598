import type { BackoffPolicy } from './backoff';
import { MARKETING_LIMIT_HOLD_MS } from './service-window';

/**
 * What a Graph API error means for the sender (NOTES section 4). Classified by WhatsApp's `code`, never
 * by the HTTP status when a code is present: the rate limits (130429, 131056, 4, 80007) come back as
 * HTTP 400, like permanent errors. The status decides only for codes we do not know, or responses
 * without an error body (a proxy's 502, say).
 *
 * Kinds and what the caller does:
 * - `throttled`: retry after the backoff; `throttleScope` says what to slow (the phone number, only that
 *   recipient, the app, the WABA);
 * - `transient`: retry after the backoff (5xx, timeouts, network errors, 131057 maintenance);
 * - `token`: the access token is expired or lacks permission — stop the channel and alert; the message
 *   may go once the token is fixed, but is not retried on a timer;
 * - `blocked`: the account is restricted (spam limit 131048, policy block 368, locked 131031, payment
 *   131042) — stop the channel or campaign; not retried;
 * - `marketing_limit` (131049): WhatsApp declined a marketing message to this user — not retried, and no
 *   marketing to that user for `holdMs` (24 hours);
 * - `opted_out` (131050): the user stopped marketing messages — suppress until they resume;
 * - `window_closed` (131047): free-form content outside the 24-hour window — never resend the same payload;
 * - `unreachable` (131026): not a deliverable WhatsApp user;
 * - `permanent`: anything else — record the code and title, do not retry.
 *
 * `mayHaveSent` marks failures after which the message may nevertheless have gone out (a timeout, a
 * dropped connection, a 5xx): `POST /messages` has no idempotency key, so the caller should cap such
 * retries and reconcile with late status webhooks (our delivery ID rides in `biz_opaque_callback_data`).
 */
export type GraphErrorKind =
  | 'throttled'
  | 'transient'
  | 'token'
  | 'blocked'
  | 'permanent'
  | 'marketing_limit'
  | 'opted_out'
  | 'window_closed'
  | 'unreachable';

export type ThrottleScope = 'phone_number' | 'recipient' | 'app' | 'waba';

export interface GraphErrorInput {
  httpStatus?: number | null;
  /** `error.code` of the Graph error body, or of a `failed` status webhook's `errors[0]`. */
  code?: number | null;
  /** `error.error_subcode`: accepted so callers pass the whole error; no class here depends on it yet. */
  subcode?: number | null;
  /** The request got no HTTP answer at all. */
  transport?: 'timeout' | 'network';
}

export interface GraphErrorClass {
  kind: GraphErrorKind;
  retryable: boolean;
  /** Present exactly when `retryable`: feed it to `backoffDelay(attempt, backoff, random)`. */
  backoff?: BackoffPolicy;
  throttleScope?: ThrottleScope;
  /** How long to hold off further messages of this kind to this recipient. */
  holdMs?: number;
  mayHaveSent?: boolean;
}

const TRANSIENT: BackoffPolicy = { baseMs: 2_000, maxMs: 300_000 };
const MAINTENANCE: BackoffPolicy = { baseMs: 60_000, maxMs: 900_000 };

// Throughput of the business number: seconds.
const NUMBER_THROUGHPUT: BackoffPolicy = { baseMs: 2_000, maxMs: 60_000 };

const THROTTLES: Record<number, { scope: ThrottleScope; backoff: BackoffPolicy }> = {
  130429: { scope: 'phone_number', backoff: NUMBER_THROUGHPUT },
  // Pair rate, about 1 message per 6 s to one user; Meta asks for 4^X s. With equal jitter the first
  // retry lands between 6 and 12 s.
  131056: { scope: 'recipient', backoff: { baseMs: 12_000, maxMs: 600_000, factor: 4 } },
  // App and WABA call limits are counted in hourly buckets.
  4: { scope: 'app', backoff: { baseMs: 60_000, maxMs: 3_600_000 } },
  80007: { scope: 'waba', backoff: { baseMs: 60_000, maxMs: 3_600_000 } },
};

const TOKEN_CODES = new Set([0, 10, 190]);
const BLOCKED_CODES = new Set([131048, 368, 131031, 131042]);
const TRANSIENT_CODES = new Set([1, 2, 131000, 131016, 133004]);

const transient = (mayHaveSent: boolean, backoff = TRANSIENT): GraphErrorClass =>
  ({ kind: 'transient', retryable: true, backoff, ...(mayHaveSent ? { mayHaveSent } : {}) });
const final = (kind: GraphErrorKind): GraphErrorClass => ({ kind, retryable: false });

export function classifyGraphError(input: GraphErrorInput): GraphErrorClass {
  const status = input.httpStatus ?? null;
  const serverSide = status !== null && status >= 500;
  if (input.transport) return transient(true);

  const code = input.code ?? null;
  if (code !== null) {
    const throttle = THROTTLES[code];
    if (throttle) return { kind: 'throttled', retryable: true, backoff: throttle.backoff, throttleScope: throttle.scope };
    if (TOKEN_CODES.has(code) || (code >= 200 && code <= 299)) return final('token');
    if (BLOCKED_CODES.has(code)) return final('blocked');
    switch (code) {
      case 131049: return { kind: 'marketing_limit', retryable: false, holdMs: MARKETING_LIMIT_HOLD_MS };
      case 131050: return final('opted_out');
      case 131047: return final('window_closed');
      case 131026: return final('unreachable');
      case 131057: return transient(false, MAINTENANCE);
    }
    if (TRANSIENT_CODES.has(code)) return transient(serverSide);
  }

  // An unknown code, or no error body: only now does the HTTP status speak.
  if (status === null) return final('permanent');
  if (serverSide || status === 408) return transient(true);
  // A bare 429 comes from something in between (a proxy, a provider): slow the whole number.
  if (status === 429) return { kind: 'throttled', retryable: true, backoff: NUMBER_THROUGHPUT, throttleScope: 'phone_number' };
  if (code === null && (status === 401 || status === 403)) return final('token');
  return final('permanent');
}
