/**
 * The sandbox's run-time configuration: accounts, credentials, webhook targets and fault settings. Options at
 * creation and the inbox API's PUT bodies are both partial patches over these defaults, parsed by the same zod
 * schemas, so the two ways of configuring cannot drift apart. Everything here is plain JSON.
 */
import { z } from 'zod';

const nonNegative = z.number().finite().min(0);
const ratio = z.number().min(0).max(1);
const numberList = z.array(z.string().min(1).max(32));

export const phoneNumberConfigSchema = z.strictObject({
  id: z.string().regex(/^\d{1,20}$/, 'phone-number id must be digits'),
  displayPhoneNumber: z.string().min(4).max(32),
  verifiedName: z.string().min(1).max(200).optional(),
  webhookUrl: z.url().optional(),
  /** Overrides `faults.throughputPerSecond` for this number (0 = unlimited). */
  throughputPerSecond: nonNegative.optional(),
  qualityRating: z.enum(['GREEN', 'YELLOW', 'RED', 'UNKNOWN']).optional(),
});
export type PhoneNumberConfig = z.infer<typeof phoneNumberConfigSchema>;

export const wabaConfigSchema = z.strictObject({
  id: z.string().regex(/^\d{1,20}$/, 'WABA id must be digits'),
  name: z.string().min(1).max(200).optional(),
  currency: z.string().length(3).optional(),
  timezoneId: z.string().optional(),
  /** Tokens accepted for this WABA only, in addition to the global `accessTokens`. */
  accessTokens: z.array(z.string().min(1)).optional(),
  webhookUrl: z.url().optional(),
  phoneNumbers: z.array(phoneNumberConfigSchema),
});
export type WabaConfig = z.infer<typeof wabaConfigSchema>;

export const faultConfigSchema = z.strictObject({
  /** Per-number messages per second before 130429 (0 = unlimited). Meta's default tier is 80. */
  throughputPerSecond: nonNegative,
  /** 131056: the same business number to the same user faster than one message per interval (bursts borrow). */
  pairLimit: z.strictObject({ enabled: z.boolean(), intervalMs: nonNegative, burst: z.number().int().min(1) }),
  /** 131047 for non-template messages outside the user's customer-service window. */
  enforceWindow: z.boolean(),
  windowMs: nonNegative,
  /** 131049: per-user marketing limit, by recipient list, by ratio, or by count per rolling 24 h (0 = off). */
  marketingLimit: z.strictObject({
    recipients: numberList,
    ratio,
    maxPerUserPer24h: z.number().int().min(0),
    /** Meta has paused marketing templates to US numbers since 2025-04-01 (NOTES 5.4). */
    blockUsNumbers: z.boolean(),
  }),
  /** 131026: recipients that are not on WhatsApp, by list or ratio. */
  unreachable: z.strictObject({ numbers: numberList, ratio }),
  latency: z.strictObject({ fixedMs: nonNegative, jitterMs: nonNegative }),
  /** Share of send requests answered with HTTP 500 / code 131000. */
  serverErrorRatio: ratio,
  /** Delivery-time failures (131026, 131047, 131049) as HTTP 400 instead of 200 + a failed status webhook. */
  syncDeliveryErrors: z.boolean(),
  /** Delays from acceptance to each status webhook. */
  statusDelays: z.strictObject({ sentMs: nonNegative, deliveredMs: nonNegative, readMs: nonNegative }),
  deliveredRatio: ratio,
  /** Share of delivered messages that are then read. */
  readRatio: ratio,
});
export type FaultConfig = z.infer<typeof faultConfigSchema>;

export const webhookDeliveryConfigSchema = z.strictObject({
  /** Most statuses/messages in one POST (Meta batches up to 1000). */
  batchSize: z.number().int().min(1).max(1000),
  /** How long a partial batch waits for company before it is posted. */
  flushIntervalMs: nonNegative,
  /** Attempts per POST before it is dropped (Meta retries for days; tests want a bound). */
  maxAttempts: z.number().int().min(1),
  retryBaseMs: nonNegative,
  retryMaxMs: nonNegative,
  /** Concurrent POSTs per target. */
  maxInFlight: z.number().int().min(1),
  timeoutMs: z.number().int().min(1),
  /** Emit ASCII-only JSON with `/` escaped, like Meta, so receivers must sign the raw bytes (NOTES 3.2). */
  escapeLikeMeta: z.boolean(),
});
export type WebhookDeliveryConfig = z.infer<typeof webhookDeliveryConfigSchema>;

export const logConfigSchema = z.strictObject({
  /** Full payloads kept per conversation (older ones are dropped, counters stay). */
  recentPerConversation: z.number().int().min(1),
  /** Full payloads kept overall. */
  maxStoredMessages: z.number().int().min(1),
});
export type LogConfig = z.infer<typeof logConfigSchema>;

export const templateConfigSchema = z.strictObject({
  /** Time from creation (PENDING) to APPROVED or REJECTED. */
  reviewDelayMs: nonNegative,
  /** Load the sample templates into every WABA. */
  preload: z.boolean(),
});
export type TemplateConfig = z.infer<typeof templateConfigSchema>;

export const sandboxConfigSchema = z.strictObject({
  wabas: z.array(wabaConfigSchema).min(1),
  accessTokens: z.array(z.string().min(1)),
  appSecret: z.string().min(1),
  defaultWebhookUrl: z.url().optional(),
  /** 'meta': a `to` without a leading + gets the business number's country code (NOTES 1.1); 'digits': used as is. */
  numberNormalization: z.enum(['meta', 'digits']),
  faults: faultConfigSchema,
  webhookDelivery: webhookDeliveryConfigSchema,
  log: logConfigSchema,
  templates: templateConfigSchema,
});
export type SandboxConfig = z.infer<typeof sandboxConfigSchema>;

/** Shallow-partial at every level of nesting, for patches. */
export type ConfigPatch<T> = { [K in keyof T]?: T[K] extends readonly unknown[] ? T[K] : T[K] extends object ? ConfigPatch<T[K]> : T[K] };
export type SandboxConfigPatch = ConfigPatch<SandboxConfig>;

export const DEFAULT_WABA_ID = '102290129340398';
export const DEFAULT_PHONE_NUMBER_ID = '106540352242922';
export const DEFAULT_ACCESS_TOKEN = 'sandbox-access-token';
export const DEFAULT_APP_SECRET = 'sandbox-app-secret';

export function defaultSandboxConfig(): SandboxConfig {
  return {
    wabas: [
      {
        id: DEFAULT_WABA_ID,
        name: 'Wareach Sandbox',
        currency: 'USD',
        timezoneId: '1',
        phoneNumbers: [
          { id: DEFAULT_PHONE_NUMBER_ID, displayPhoneNumber: '+1 555-078-3881', verifiedName: 'Wareach Sandbox', qualityRating: 'GREEN' },
        ],
      },
    ],
    accessTokens: [DEFAULT_ACCESS_TOKEN],
    appSecret: DEFAULT_APP_SECRET,
    numberNormalization: 'meta',
    faults: {
      throughputPerSecond: 0,
      pairLimit: { enabled: false, intervalMs: 6000, burst: 1 },
      enforceWindow: true,
      windowMs: 24 * 3600_000,
      marketingLimit: { recipients: [], ratio: 0, maxPerUserPer24h: 0, blockUsNumbers: false },
      unreachable: { numbers: [], ratio: 0 },
      latency: { fixedMs: 0, jitterMs: 0 },
      serverErrorRatio: 0,
      syncDeliveryErrors: false,
      statusDelays: { sentMs: 100, deliveredMs: 600, readMs: 3000 },
      deliveredRatio: 1,
      readRatio: 0.7,
    },
    webhookDelivery: {
      batchSize: 100,
      flushIntervalMs: 20,
      maxAttempts: 10,
      retryBaseMs: 500,
      retryMaxMs: 60_000,
      maxInFlight: 8,
      timeoutMs: 10_000,
      escapeLikeMeta: true,
    },
    log: { recentPerConversation: 50, maxStoredMessages: 20_000 },
    templates: { reviewDelayMs: 3000, preload: true },
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep-merges a patch (arrays replace, `null` removes an optional key), then validates the whole result. */
export function applyConfigPatch(
  current: SandboxConfig,
  patch: unknown,
): { ok: true; value: SandboxConfig } | { ok: false; errors: Array<{ path: string; message: string }> } {
  const merge = (base: unknown, over: unknown): unknown => {
    if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(over)) {
      if (v === null) delete out[k];
      else out[k] = merge(base[k], v);
    }
    return out;
  };
  const parsed = sandboxConfigSchema.safeParse(merge(current, patch));
  if (!parsed.success) {
    return { ok: false, errors: parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })) };
  }
  return { ok: true, value: parsed.data };
}
