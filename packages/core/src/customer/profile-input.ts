import { z } from 'zod';
import { err, issuesToFieldErrors, ok, type FieldError, type Result } from '../shared/result';
import { normalisePhone } from './phone';
import { isValidTimezone } from './timezone';

export type AttributeType = 'string' | 'number' | 'boolean' | 'datetime' | 'string_list';
export type TagType = 'string' | 'number' | 'boolean' | 'datetime';

export interface TypedValue {
  type: AttributeType;
  /** string for string/datetime (ISO, UTC), number, boolean, or string[] for lists */
  value: string | number | boolean | string[];
  /** numeric form for ordering: the number, 0/1, epoch ms for datetime */
  num: number | null;
}

export interface ProfileUpsert {
  id: string | undefined;
  subjectType: string | undefined;
  identities: { type: string; value: string }[];
  timezone: string | null | undefined;
  attributes: Record<string, TypedValue | null>;
  tags: Record<string, TypedValue | null>;
}

export const MAX_BATCH = 1000;
const NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;
// ISO 8601 date-time with a zone (Z or offset): such strings are stored as datetime, so rules can
// compare them in time. A date without time or zone stays a string: it names no instant.
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

const scalar = z.union([z.string().max(2000), z.number(), z.boolean()]);
const attributeValue = z.union([scalar, z.array(z.string().max(500)).max(200), z.null()]);

export const profileInputSchema = z.strictObject({
  id: z.string().trim().min(1).max(128).optional(),
  subjectType: z.string().regex(NAME, 'must be a name of letters, digits, _ . -').optional(),
  identities: z
    .record(z.string().regex(NAME, 'identity type must be a name'), z.string().max(320))
    .optional(),
  timezone: z.string().nullable().optional(),
  attributes: z.record(z.string(), attributeValue).optional(),
  tags: z.record(z.string(), z.union([scalar, z.null()])).optional(),
});
export type ProfileInput = z.infer<typeof profileInputSchema>;

const PROFILE_KEYS = new Set(['id', 'subjectType', 'identities', 'timezone', 'attributes', 'tags']);
const isPlain = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;
const isScalar = (v: unknown) => (typeof v === 'string' ? v.length <= 2000 : typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)));
const isStringList = (v: unknown) => Array.isArray(v) && v.length <= 200 && v.every((x) => typeof x === 'string' && x.length <= 500);
/** A record the schema would copy as it is: a plain object without an own `__proto__` (the schema drops it). */
const isRecord = (v: unknown): v is Record<string, unknown> => isPlain(v) && !Object.prototype.hasOwnProperty.call(v, '__proto__');

/**
 * The schema's answer for an input it accepts, checked by hand (a bulk import validates millions of
 * profiles); undefined for anything else, which then goes through the schema, so refusals keep its paths
 * and messages. The test beside it checks both agree on a corpus.
 */
export function profileInputFastPath(input: unknown): ProfileInput | undefined {
  if (!isPlain(input)) return undefined;
  for (const k in input) if (!PROFILE_KEYS.has(k)) return undefined;
  const { id, subjectType, identities, timezone, attributes, tags } = input;
  let pid: string | undefined;
  if (id !== undefined) {
    if (typeof id !== 'string') return undefined;
    pid = id.trim();
    if (pid.length < 1 || pid.length > 128) return undefined;
  }
  if (subjectType !== undefined && (typeof subjectType !== 'string' || !NAME.test(subjectType))) return undefined;
  if (identities !== undefined) {
    if (!isRecord(identities)) return undefined;
    for (const k in identities) {
      const v = identities[k];
      if (!NAME.test(k) || typeof v !== 'string' || v.length > 320) return undefined;
    }
  }
  if (timezone !== undefined && timezone !== null && typeof timezone !== 'string') return undefined;
  if (attributes !== undefined) {
    if (!isRecord(attributes)) return undefined;
    for (const k in attributes) {
      const v = attributes[k];
      if (v !== null && !isScalar(v) && !isStringList(v)) return undefined;
    }
  }
  if (tags !== undefined) {
    if (!isRecord(tags)) return undefined;
    for (const k in tags) {
      const v = tags[k];
      if (v !== null && !isScalar(v)) return undefined;
    }
  }
  return {
    id: pid,
    subjectType: subjectType as string | undefined,
    identities: identities as Record<string, string> | undefined,
    timezone: timezone as string | null | undefined,
    attributes: attributes as ProfileInput['attributes'],
    tags: tags as ProfileInput['tags'],
  };
}

export function typeValue(value: string | number | boolean | string[]): TypedValue | string {
  if (Array.isArray(value)) return { type: 'string_list', value, num: null };
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return 'must be a finite number';
    return { type: 'number', value, num: value };
  }
  if (typeof value === 'boolean') return { type: 'boolean', value, num: value ? 1 : 0 };
  if (ISO_DATETIME.test(value)) {
    const ms = Date.parse(value);
    if (Number.isNaN(ms)) return 'is not a valid date-time';
    return { type: 'datetime', value: new Date(ms).toISOString(), num: ms };
  }
  return { type: 'string', value, num: null };
}

/** A field's path under an item's prefix (`users.3` + `timezone`). */
export const pathIn = (prefix: string, field: string): string => (prefix ? `${prefix}.${field}` : field);

export function normaliseIdentity(type: string, value: string): Result<string, string> {
  if (type === 'whatsapp' || type === 'phone') return normalisePhone(value);
  const v = value.trim();
  if (v === '') return err('is empty');
  if (type === 'email') {
    const email = v.toLowerCase();
    return z.email().safeParse(email).success ? ok(email) : err('is not a valid email address');
  }
  return ok(v);
}

/** Validates and normalises one profile of an upsert; `prefix` is its path in the request. */
export function parseProfileInput(input: unknown, prefix = ''): Result<ProfileUpsert> {
  let d = profileInputFastPath(input);
  if (!d) {
    const parsed = profileInputSchema.safeParse(input);
    if (!parsed.success) return err(issuesToFieldErrors(parsed.error.issues, prefix));
    d = parsed.data;
  }
  const errors: FieldError[] = [];
  const identities: ProfileUpsert['identities'] = [];
  for (const [type, value] of Object.entries(d.identities ?? {})) {
    const n = normaliseIdentity(type, value);
    if (n.ok) identities.push({ type: type === 'phone' ? 'whatsapp' : type, value: n.value });
    else errors.push({ path: pathIn(prefix, `identities.${type}`), message: `${JSON.stringify(value)} ${n.error}` });
  }
  if (d.timezone != null && !isValidTimezone(d.timezone)) {
    errors.push({ path: pathIn(prefix, 'timezone'), message: `${JSON.stringify(d.timezone)} is not an IANA time zone (e.g. Asia/Shanghai)` });
  }
  const attributes: ProfileUpsert['attributes'] = {};
  for (const [name, value] of Object.entries(d.attributes ?? {})) {
    if (!NAME.test(name)) { errors.push({ path: pathIn(prefix, `attributes.${name}`), message: 'attribute name must start with a letter or _ and hold at most 64 letters, digits, _ . -' }); continue; }
    if (value === null) { attributes[name] = null; continue; }
    const t = typeValue(value);
    if (typeof t === 'string') errors.push({ path: pathIn(prefix, `attributes.${name}`), message: t });
    else attributes[name] = t;
  }
  const tags: ProfileUpsert['tags'] = {};
  for (const [name, value] of Object.entries(d.tags ?? {})) {
    if (!NAME.test(name)) { errors.push({ path: pathIn(prefix, `tags.${name}`), message: 'tag name must start with a letter or _ and hold at most 64 letters, digits, _ . -' }); continue; }
    if (value === null) { tags[name] = null; continue; }
    const t = typeValue(value);
    if (typeof t === 'string') errors.push({ path: pathIn(prefix, `tags.${name}`), message: t });
    else tags[name] = t;
  }
  if (d.id === undefined && identities.length === 0) {
    errors.push({ path: pathIn(prefix, 'id'), message: 'give the one-ID or at least one identity' });
  }
  if (errors.length) return err(errors);
  return ok({ id: d.id, subjectType: d.subjectType, identities, timezone: d.timezone, attributes, tags });
}
