import { z } from 'zod';

/** Meta's messaging limit tiers (NOTES 5.2; TIER_1K is the retired tier some accounts still report). */
export const MESSAGING_TIERS = ['TIER_250', 'TIER_1K', 'TIER_2K', 'TIER_10K', 'TIER_100K', 'TIER_UNLIMITED'] as const;
export type MessagingTier = (typeof MESSAGING_TIERS)[number];

export const DEFAULT_GRAPH_BASE_URL = 'https://graph.facebook.com';
export const DEFAULT_GRAPH_VERSION = 'v23.0';

const digits = (what: string) => z.string().trim().regex(/^\d{1,32}$/, `must be the ${what}: digits only`);
const secret = (what: string) => z.string().min(1, `${what} must not be empty`).max(4096).refine((s) => s.trim() === s, { message: 'must not start or end with spaces' });

export const phoneNumberInputSchema = z.strictObject({
  phoneNumberId: digits('phone-number ID from WhatsApp Manager'),
  displayNumber: z.string().trim().min(4).max(32),
  /** Messages per second (Meta: 80 by default, 1,000 once upgraded; 20 for coexistence numbers). */
  throughput: z.number().int().min(1).max(10_000).default(80),
  tier: z.enum(MESSAGING_TIERS).default('TIER_250'),
});
export type PhoneNumberInput = z.output<typeof phoneNumberInputSchema>;

const baseUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .transform((u) => u.replace(/\/+$/, ''))
  .refine((u) => !/\?|#/.test(u), { message: 'must not have a query or fragment' });
const version = z.string().trim().regex(/^v\d{1,3}\.\d{1,2}$/, 'must look like v23.0');

const phoneNumbers = z
  .array(phoneNumberInputSchema)
  .min(1, 'must have at least one phone number')
  .max(50)
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((p, i) => {
      if (seen.has(p.phoneNumberId)) ctx.addIssue({ code: 'custom', path: [i, 'phoneNumberId'], message: `repeats ${p.phoneNumberId}` });
      seen.add(p.phoneNumberId);
    });
  });

export const createChannelSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  wabaId: digits('WhatsApp Business Account ID'),
  phoneNumbers,
  accessToken: secret('the access token'),
  appSecret: secret('the app secret'),
  /** The token Meta echoes in the verification handshake; generated when omitted. */
  verifyToken: secret('the verify token').optional(),
  baseUrl: baseUrl.default(DEFAULT_GRAPH_BASE_URL),
  apiVersion: version.default(DEFAULT_GRAPH_VERSION),
});
export type CreateChannelInput = z.output<typeof createChannelSchema>;

export const updateChannelSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(100).optional(),
    wabaId: digits('WhatsApp Business Account ID').optional(),
    phoneNumbers: phoneNumbers.optional(),
    accessToken: secret('the access token').optional(),
    appSecret: secret('the app secret').optional(),
    verifyToken: secret('the verify token').optional(),
    baseUrl: baseUrl.optional(),
    apiVersion: version.optional(),
    status: z.enum(['active', 'paused']).optional(),
    /** Required when pausing. */
    pausedReason: z.string().trim().min(1).max(500).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.status === 'paused' && !v.pausedReason) ctx.addIssue({ code: 'custom', path: ['pausedReason'], message: 'is required when pausing a channel' });
    if (v.status !== 'paused' && v.pausedReason !== undefined) ctx.addIssue({ code: 'custom', path: ['pausedReason'], message: 'is only accepted together with status "paused"' });
  });
export type UpdateChannelInput = z.output<typeof updateChannelSchema>;

export const channelViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  wabaId: z.string(),
  phoneNumbers: z.array(z.object({ phoneNumberId: z.string(), displayNumber: z.string(), throughput: z.number(), tier: z.string() })),
  baseUrl: z.string(),
  apiVersion: z.string(),
  status: z.enum(['active', 'paused']),
  pausedReason: z.string().nullable(),
  pausedAt: z.string().nullable(),
  sandbox: z.boolean(),
  hasAccessToken: z.boolean(),
  hasAppSecret: z.boolean(),
  hasVerifyToken: z.boolean(),
  /** Where Meta must post this channel's webhooks (path on this server). */
  webhookPath: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ChannelView = z.infer<typeof channelViewSchema>;
