import { z } from 'zod';
import { isValidTimezone } from '../customer/timezone';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24-hour)');
const cap = z.strictObject({
  max: z.number().int().min(1).max(1000),
  period: z.enum(['hour', 'day', 'week']),
});

/**
 * The settings centre (SPEC section 2): one document per project, validated as a whole. Defaults are
 * what a fresh install uses.
 */
export const projectSettingsSchema = z.strictObject({
  timezone: z.string().refine(isValidTimezone, 'must be an IANA time zone (e.g. Asia/Shanghai)').default('Asia/Shanghai'),
  doNotDisturb: z
    .strictObject({ enabled: z.boolean(), start: hhmm, end: hhmm, action: z.enum(['drop', 'defer']) })
    .default({ enabled: true, start: '22:00', end: '08:00', action: 'defer' }),
  channelCap: cap.nullable().default({ max: 2, period: 'day' }),
  crossChannelCap: cap.nullable().default({ max: 5, period: 'day' }),
  segmentRefreshLeadMinutes: z.number().int().min(1).max(24 * 60).default(15),
  allowSelfApproval: z.boolean().default(false),
  syncToSegmentListDefault: z.boolean().default(true),
});
export type ProjectSettings = z.infer<typeof projectSettingsSchema>;
export const projectSettingsPatchSchema = projectSettingsSchema.partial();

export const defaultProjectSettings = (): ProjectSettings => projectSettingsSchema.parse({});
