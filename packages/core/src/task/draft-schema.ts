/**
 * Drafts may be incomplete: any field may be absent, but whatever is present must be valid. Rather
 * than keep a second copy of every schema, the draft schema is derived from the complete one by
 * making every field optional, recursively, while keeping each field's own checks. The keys that
 * pick a variant (`type`, `mode`, `kind`, and a property filter's `op`) stay required inside their object, because without them
 * nothing else in it can be checked.
 */
import { z } from 'zod';

type Discriminant = 'type' | 'mode' | 'kind' | 'op';

/** The type twin of `toDraftSchema`. */
export type DraftOf<T> = T extends readonly (infer E)[]
  ? DraftOf<E>[]
  : T extends object
    ? { [K in keyof T as K extends Discriminant ? K : never]: T[K] } & {
        [K in keyof T as K extends Discriminant ? never : K]?: DraftOf<T[K]>;
      }
    : T;

const DISCRIMINANTS: ReadonlySet<string> = new Set<Discriminant>(['type', 'mode', 'kind', 'op']);

function optional(schema: z.ZodType): z.ZodType {
  return schema instanceof z.ZodOptional || schema instanceof z.ZodDefault ? schema : schema.optional();
}

/**
 * Handles the schema kinds the task model uses (objects, discriminated unions, arrays, optional,
 * default); anything else (strings, enums, pipes) is a leaf and is kept as it is.
 */
export function toDraftSchema(schema: z.ZodType): z.ZodType {
  if (schema instanceof z.ZodObject) {
    const shape: Record<string, z.ZodType> = {};
    for (const [key, field] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
      shape[key] = DISCRIMINANTS.has(key) ? field : optional(toDraftSchema(field));
    }
    return schema.clone({ ...schema._zod.def, shape });
  }
  if (schema instanceof z.ZodDiscriminatedUnion) {
    const options = (schema.options as z.ZodType[]).map((option) => toDraftSchema(option));
    return schema.clone({ ...schema._zod.def, options } as typeof schema._zod.def);
  }
  if (schema instanceof z.ZodArray) {
    const element = toDraftSchema(schema.element as z.ZodType);
    return element === schema.element ? schema : schema.clone({ ...schema._zod.def, element });
  }
  if (schema instanceof z.ZodOptional) return optional(toDraftSchema(schema.unwrap() as z.ZodType));
  if (schema instanceof z.ZodDefault) {
    const innerType = toDraftSchema(schema._zod.def.innerType as z.ZodType);
    return schema.clone({ ...schema._zod.def, innerType });
  }
  return schema;
}
