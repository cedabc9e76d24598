import { sql } from 'kysely';
import type { PropertyFilter } from '@wareach/core';
import { and, compare, not, type Cond, type JsonKind, type Scalar, type SqlDialect } from './sql-fragments';

const PRESENT: readonly JsonKind[] = ['string', 'number', 'boolean', 'object', 'array'];

/**
 * One event property filter as SQL over the JSON text column `column`, with the meaning of core's
 * `matchPropertyFilter`: comparisons are typed by the filter value, so a property of another type or
 * an absent one matches nothing (`ne` and `not_in` included); present means present and not null.
 */
export function propertyFilterSql(d: SqlDialect, column: Scalar, f: PropertyFilter): Cond {
  const key = f.property;
  switch (f.op) {
    case 'exists':
      return d.jsonKindIs(column, key, PRESENT);
    case 'not_exists':
      return not(d.jsonKindIs(column, key, PRESENT));
    case 'eq':
    case 'ne':
      return compare(typedValue(d, column, key, f.value), f.op, typeof f.value === 'boolean' ? d.bool(f.value) : f.value);
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return compare(d.jsonNumber(column, key), f.op, f.value);
    case 'contains':
      return d.contains(d.jsonText(column, key), f.value);
    case 'in':
    case 'not_in': {
      const list: ReadonlyArray<string | number> = f.value;
      const numbers = typeof list[0] === 'number';
      const value = numbers ? d.jsonNumber(column, key) : d.jsonText(column, key);
      const inList = numbers ? d.inNumberList(value, list as number[]) : d.inTextList(value, list as string[]);
      // A value of another type (or none) is NULL here and must not match `not_in` either.
      return f.op === 'in' ? inList : and([sql`${value} IS NOT NULL`, not(inList)]);
    }
  }
}

/** The property read with the type of the filter value: NULL when it has another type. */
function typedValue(d: SqlDialect, column: Scalar, key: string, value: string | number | boolean): Scalar {
  if (typeof value === 'string') return d.jsonText(column, key);
  if (typeof value === 'number') return d.jsonNumber(column, key);
  return d.jsonBoolean(column, key);
}
