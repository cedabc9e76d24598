import { z } from 'zod';

/**
 * A filter on one event property ("detail data"). The audience rule's event conditions and the trigger
 * engine (on every ingested event) both use it, so there is exactly one meaning:
 *
 * - `property` names a top-level key of the event's JSON properties (no paths into nested objects).
 * - A property is *present* when the key exists and its value is not JSON null.
 * - Comparisons are typed by the filter value: a string value compares only with JSON strings, a
 *   number only with JSON numbers, a boolean only with JSON true/false. A property of another type, or
 *   an absent one, matches nothing — `ne` and `not_in` included, as SQL NULL would.
 *   (SQL: check `json_type(...)` / `jsonb_typeof(...)` before comparing.)
 * - `gt`/`gte`/`lt`/`lte` take numbers only: string ordering depends on the database collation, so it
 *   could not mean the same thing on SQLite and PostgreSQL.
 * - `contains` is a case-sensitive substring test on strings (SQLite: `instr()`, not `LIKE`, which
 *   ignores ASCII case and treats `%` and `_` as wildcards).
 * - `in`/`not_in` take a non-empty list of strings or of numbers.
 * - Several filters must all match (AND); no filters match every event.
 */

const MAX_LIST = 1000;
const MAX_STRING = 500;

const propertyName = z.string().min(1, 'name the property').max(100);
const text = z.string().max(MAX_STRING);

export const propertyFilterSchema = z.discriminatedUnion('op', [
  z.object({ property: propertyName, op: z.enum(['eq', 'ne']), value: z.union([text, z.number(), z.boolean()]) }),
  z.object({ property: propertyName, op: z.enum(['gt', 'gte', 'lt', 'lte']), value: z.number() }),
  z.object({
    property: propertyName,
    op: z.enum(['in', 'not_in']),
    value: z.union([z.array(text).min(1).max(MAX_LIST), z.array(z.number()).min(1).max(MAX_LIST)]),
  }),
  z.object({ property: propertyName, op: z.literal('contains'), value: text.min(1) }),
  z.object({ property: propertyName, op: z.enum(['exists', 'not_exists']) }),
]);

export type PropertyFilter = z.infer<typeof propertyFilterSchema>;
export type PropertyFilterOp = PropertyFilter['op'];

/** Event properties as stored: a JSON object. */
export type EventProperties = Readonly<Record<string, unknown>>;

function propertyOf(properties: EventProperties, name: string): unknown {
  return Object.prototype.hasOwnProperty.call(properties, name) ? properties[name] : undefined;
}

const sameScalarType = (a: unknown, b: string | number | boolean): boolean =>
  typeof a === typeof b && (typeof a !== 'number' || Number.isFinite(a));

/** Does one filter match these properties? See the file comment for the exact semantics. */
export function matchPropertyFilter(filter: PropertyFilter, properties: EventProperties): boolean {
  const v = propertyOf(properties, filter.property);
  const present = v !== undefined && v !== null;
  switch (filter.op) {
    case 'exists':
      return present;
    case 'not_exists':
      return !present;
    case 'eq':
      return sameScalarType(v, filter.value) && v === filter.value;
    case 'ne':
      return sameScalarType(v, filter.value) && v !== filter.value;
    case 'gt':
      return typeof v === 'number' && v > filter.value;
    case 'gte':
      return typeof v === 'number' && v >= filter.value;
    case 'lt':
      return typeof v === 'number' && v < filter.value;
    case 'lte':
      return typeof v === 'number' && v <= filter.value;
    case 'in':
    case 'not_in': {
      const list: ReadonlyArray<string | number> = filter.value;
      const first = list[0];
      if (first === undefined || !sameScalarType(v, first)) return false;
      const found = list.includes(v as string | number);
      return filter.op === 'in' ? found : !found;
    }
    case 'contains':
      return typeof v === 'string' && v.includes(filter.value);
  }
}

/** All filters match (an empty list matches every event). */
export function matchPropertyFilters(filters: readonly PropertyFilter[], properties: EventProperties): boolean {
  return filters.every((f) => matchPropertyFilter(f, properties));
}
