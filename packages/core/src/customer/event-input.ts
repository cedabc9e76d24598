import { z } from 'zod';
import { err, issuesToFieldErrors, ok, type FieldError, type Result } from '../shared/result';
import { normaliseIdentity, typeValue, type AttributeType } from './profile-input';

export interface EventIngest {
  userId: string | undefined;
  identity: { type: string; value: string } | undefined;
  name: string;
  at: number;
  properties: Record<string, unknown>;
  /** `properties` as JSON when the parser already serialised it (for its size check): stored as is. */
  propertiesJson?: string;
  messageId: string | undefined;
}

const EVENT_NAME = /^[A-Za-z_$][A-Za-z0-9_.:$ -]{0,127}$/;

export const eventInputSchema = z.strictObject({
  userId: z.string().trim().min(1).max(128).optional(),
  identity: z.strictObject({ type: z.string().min(1).max(64), value: z.string().min(1).max(320) }).optional(),
  name: z.string().regex(EVENT_NAME, 'must start with a letter, _ or $ and hold at most 128 letters, digits, _ . : $ - or spaces'),
  time: z.iso.datetime({ offset: true }).optional(),
  properties: z.record(z.string(), z.unknown()).optional(),
  messageId: z.string().min(1).max(200).optional(),
});
export type EventInput = z.infer<typeof eventInputSchema>;

/** How far in the future an event time may be: clocks drift, but a year ahead is a bug upstream. */
const MAX_FUTURE_MS = 24 * 3600 * 1000;

export function parseEventInput(input: unknown, now: number, prefix = ''): Result<EventIngest> {
  const p = (s: string) => (prefix ? `${prefix}.${s}` : s);
  const parsed = eventInputSchema.safeParse(input);
  if (!parsed.success) {
    return err(issuesToFieldErrors(parsed.error.issues, prefix));
  }
  const d = parsed.data;
  const errors: FieldError[] = [];
  let identity: EventIngest['identity'];
  if (d.identity) {
    const type = d.identity.type === 'phone' ? 'whatsapp' : d.identity.type;
    const n = normaliseIdentity(type, d.identity.value);
    if (n.ok) identity = { type, value: n.value };
    else errors.push({ path: p('identity.value'), message: `${JSON.stringify(d.identity.value)} ${n.error}` });
  }
  if (!d.userId && !d.identity) errors.push({ path: p('userId'), message: 'give userId or identity' });
  const at = d.time ? Date.parse(d.time) : now;
  if (at > now + MAX_FUTURE_MS) errors.push({ path: p('time'), message: 'is more than 24 hours in the future' });
  const propsJson = JSON.stringify(d.properties ?? {});
  if (propsJson.length > 32_768) errors.push({ path: p('properties'), message: 'must be at most 32 KB as JSON' });
  if (errors.length) return err(errors);
  return ok({ userId: d.userId, identity, name: d.name, at, properties: d.properties ?? {}, propertiesJson: propsJson, messageId: d.messageId });
}

/** The catalogue type of an event property value, or null for nested objects and nulls (not offered). */
export function propertyType(value: unknown): AttributeType | null {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.every((v) => typeof v === 'string') ? 'string_list' : null;
  if (typeof value === 'object') return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    const t = typeValue(value);
    return typeof t === 'string' ? null : t.type;
  }
  return null;
}
