/**
 * Small readers over an untrusted JSON payload that name the offending field the way Graph does
 * (`text['body']`), so each validator stays a list of rules instead of type juggling.
 */
import { fail, type MetaFailure } from './graph-error';

export type JsonRecord = Record<string, unknown>;

export const isRecord = (v: unknown): v is JsonRecord => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Thrown only inside validators and caught at their boundary: a refusal, not a bug. */
export class Refusal {
  constructor(readonly failure: MetaFailure) {}
}

export function refuse(failure: MetaFailure): never {
  throw new Refusal(failure);
}

/** Runs a validator written with the readers below, turning the first refusal into a value. */
export function collect<T>(fn: () => T): { ok: true; value: T } | { ok: false; failure: MetaFailure } {
  try {
    return { ok: true, value: fn() };
  } catch (e) {
    if (e instanceof Refusal) return { ok: false, failure: e.failure };
    throw e;
  }
}

export function required(obj: JsonRecord, key: string, path: string): unknown {
  const v = obj[key];
  if (v === undefined || v === null) refuse(fail(131008, `The parameter ${path} is required.`));
  return v;
}

export function objectAt(obj: JsonRecord, key: string, path: string): JsonRecord {
  const v = required(obj, key, path);
  if (!isRecord(v)) refuse(fail(100, `Param ${path} must be a JSON object.`));
  return v;
}

export function optionalObject(obj: JsonRecord, key: string, path: string): JsonRecord | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (!isRecord(v)) refuse(fail(100, `Param ${path} must be a JSON object.`));
  return v;
}

export function arrayAt(obj: JsonRecord, key: string, path: string): unknown[] {
  const v = required(obj, key, path);
  if (!Array.isArray(v)) refuse(fail(100, `Param ${path} must be an array.`));
  return v;
}

/** A string field with Meta's length rule; `code` picks 100 (Graph param check) or 131009 (WhatsApp rule). */
export function stringAt(
  obj: JsonRecord,
  key: string,
  path: string,
  max: number,
  opts: { min?: number; code?: 100 | 131009 } = {},
): string {
  const v = required(obj, key, path);
  return checkString(v, path, max, opts);
}

export function optionalString(
  obj: JsonRecord,
  key: string,
  path: string,
  max: number,
  opts: { min?: number; code?: 100 | 131009 } = {},
): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  return checkString(v, path, max, opts);
}

function checkString(v: unknown, path: string, max: number, opts: { min?: number; code?: 100 | 131009 }): string {
  if (typeof v !== 'string') refuse(fail(100, `Param ${path} must be a string.`));
  const min = opts.min ?? 1;
  // Code units are never fewer than code points, so counting code points is only needed near the limit.
  const length = v.length > max ? [...v].length : v.length;
  if (length < min || length > max) {
    refuse(
      opts.code === 131009
        ? fail(131009, `${path} length invalid. Min length: ${min}, Max length: ${max}`)
        : fail(100, length > max ? `Param ${path} must be at most ${max} characters long.` : `Param ${path} must be at least ${min} characters long.`),
    );
  }
  return v;
}

export function isHttpUrl(v: string): boolean {
  if (!/^https?:\/\//i.test(v)) return false;
  try {
    new URL(v);
    return true;
  } catch {
    return false;
  }
}
