import { z } from 'zod';
import { err, issuesToFieldErrors, ok, type FieldError, type Result } from '../shared/result';

/**
 * Segment HTTP Tracking API shapes (identify, track, page, screen, group, alias, batch), mapped onto
 * wareach's profile and event inputs, so a Segment or RudderStack pipeline can point at wareach.
 * Segment clients send extra envelope fields (context, integrations, sentAt, …): they are accepted and
 * ignored. `userId` is the one-ID; a call with only `anonymousId` is tied to the `anonymous_id` identity.
 * Well-known traits map to identities: phone → whatsapp, email → email; `timezone` (or
 * context.timezone) to the profile's timezone; the other traits become attributes.
 */
const common = {
  userId: z.union([z.string(), z.number()]).transform(String).optional(),
  anonymousId: z.union([z.string(), z.number()]).transform(String).optional(),
  timestamp: z.string().optional(),
  messageId: z.string().max(200).optional(),
  context: z.record(z.string(), z.unknown()).optional(),
};
export const segmentIdentifySchema = z.looseObject({ ...common, type: z.literal('identify').optional(), traits: z.record(z.string(), z.unknown()).optional() });
export const segmentTrackSchema = z.looseObject({ ...common, type: z.literal('track').optional(), event: z.string().min(1).max(128), properties: z.record(z.string(), z.unknown()).optional() });
const segmentPageSchema = z.looseObject({ ...common, type: z.enum(['page', 'screen']), name: z.string().optional(), properties: z.record(z.string(), z.unknown()).optional() });
const segmentOtherSchema = z.looseObject({ ...common, type: z.enum(['group', 'alias']) });
export const segmentBatchSchema = z.looseObject({ batch: z.array(z.unknown()).min(1).max(1000), context: z.record(z.string(), z.unknown()).optional() });

export type SegmentMapped =
  | { kind: 'profile'; profile: Record<string, unknown> }
  | { kind: 'event'; event: Record<string, unknown> }
  | { kind: 'ignored'; reason: string };

const who = (d: { userId?: string | undefined; anonymousId?: string | undefined }, path: string): Result<Record<string, unknown>> => {
  if (d.userId) return ok({ userId: d.userId });
  if (d.anonymousId) return ok({ identity: { type: 'anonymous_id', value: d.anonymousId } });
  return err([{ path: `${path}userId`, message: 'give userId or anonymousId' }]);
};

function toIso(ts: string | undefined, path: string): Result<string | undefined> {
  if (ts === undefined) return ok(undefined);
  const ms = Date.parse(ts);
  if (Number.isNaN(ms)) return err([{ path: `${path}timestamp`, message: 'is not an ISO 8601 date-time' }]);
  return ok(new Date(ms).toISOString());
}

const zodErrors = (e: z.ZodError, path: string): FieldError[] => issuesToFieldErrors(e.issues, path.replace(/\.$/, ''));

export function mapSegmentIdentify(input: unknown, path = ''): Result<SegmentMapped> {
  const p = segmentIdentifySchema.safeParse(input);
  if (!p.success) return err(zodErrors(p.error, path));
  const d = p.data;
  const traits = { ...(d.traits ?? {}) };
  const identities: Record<string, string> = {};
  if (d.anonymousId) identities.anonymous_id = d.anonymousId;
  for (const [trait, type] of [['phone', 'whatsapp'], ['whatsapp', 'whatsapp'], ['email', 'email']] as const) {
    const v = traits[trait];
    if (typeof v === 'string' && v) identities[type] = v;
    delete traits[trait];
  }
  const ctxTz = typeof d.context?.timezone === 'string' ? d.context.timezone : undefined;
  const timezone = typeof traits.timezone === 'string' ? traits.timezone : ctxTz;
  delete traits.timezone;
  const attributes: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(traits)) {
    // Nested objects (address, company) are flattened one level: address.city.
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      for (const [k2, v2] of Object.entries(v as Record<string, unknown>)) if (v2 === null || typeof v2 !== 'object') attributes[`${k}.${k2}`] = v2;
    } else attributes[k] = v;
  }
  if (!d.userId && !d.anonymousId) return err([{ path: `${path}userId`, message: 'give userId or anonymousId' }]);
  return ok({ kind: 'profile', profile: { ...(d.userId ? { id: d.userId } : {}), identities, attributes, ...(timezone ? { timezone } : {}) } });
}

export function mapSegmentTrack(input: unknown, path = ''): Result<SegmentMapped> {
  const p = segmentTrackSchema.safeParse(input);
  if (!p.success) return err(zodErrors(p.error, path));
  const d = p.data;
  const w = who(d, path);
  if (!w.ok) return w;
  const t = toIso(d.timestamp, path);
  if (!t.ok) return t;
  return ok({ kind: 'event', event: { ...w.value, name: d.event, ...(t.value ? { time: t.value } : {}), properties: d.properties ?? {}, ...(d.messageId ? { messageId: d.messageId } : {}) } });
}

export function mapSegmentCall(input: unknown, path = ''): Result<SegmentMapped> {
  const type = (input as { type?: unknown } | null)?.type;
  switch (type) {
    case 'identify': return mapSegmentIdentify(input, path);
    case 'track': return mapSegmentTrack(input, path);
    case 'page':
    case 'screen': {
      const p = segmentPageSchema.safeParse(input);
      if (!p.success) return err(zodErrors(p.error, path));
      return mapSegmentTrack({ ...p.data, type: 'track', event: type === 'page' ? 'Page Viewed' : 'Screen Viewed', properties: { ...(p.data.name ? { name: p.data.name } : {}), ...(p.data.properties ?? {}) } }, path);
    }
    case 'group':
    case 'alias': {
      const p = segmentOtherSchema.safeParse(input);
      if (!p.success) return err(zodErrors(p.error, path));
      return ok({ kind: 'ignored', reason: `${type} calls are not used by wareach` });
    }
    default:
      return err([{ path: `${path}type`, message: 'must be one of identify, track, page, screen, group, alias' }]);
  }
}
