import type { FormInstance } from 'antd';
import { ApiError, type FieldDetail } from '../api/client';
import type { TFunction } from '../i18n/i18n';

/** A sentence for a failed call: what went wrong and, when the server said so, what to fix. */
export function errorText(e: unknown, t: TFunction): string {
  if (e instanceof ApiError) {
    if (e.code === 'network') return t('error.network');
    const first = e.details[0];
    return first ? `${e.message}: ${first.path ? `${first.path} — ` : ''}${first.message}` : e.message;
  }
  return t('error.generic', { message: e instanceof Error ? e.message : String(e) });
}

/** The API's dot paths as antd name paths (numeric segments become indexes). */
export function toNamePath(path: string, prefix: (string | number)[] = []): (string | number)[] {
  return [...prefix, ...path.split('.').filter(Boolean).map((p) => (/^\d+$/.test(p) ? Number(p) : p))];
}

/**
 * Puts the server's field details next to the fields of `form`; returns the details no field showed,
 * so the caller can still tell the operator about them.
 */
export function applyFieldErrors(form: FormInstance, e: unknown, map: (path: string) => (string | number)[] | null = (p) => toNamePath(p)): FieldDetail[] {
  if (!(e instanceof ApiError)) return [];
  const unshown: FieldDetail[] = [];
  const fields: { name: (string | number)[]; errors: string[] }[] = [];
  for (const d of e.details) {
    const name = map(d.path);
    if (name && name.length > 0) fields.push({ name, errors: [d.message] });
    if (!name || name.length === 0 || form.getFieldInstance(name) === undefined) unshown.push(d);
  }
  form.setFields(fields);
  return unshown;
}

export const isMissingApi = (e: unknown) => e instanceof ApiError && e.status === 404 && e.code === 'not_found';
