/** Zod issues as the API's field errors, with a plain "Required" where a field is missing. */
import type { z } from 'zod';
import type { FieldError } from '../shared/result';
import { issuesToFieldErrors } from '../shared/result';

export function zodFieldErrors(error: z.ZodError, prefix = ''): FieldError[] {
  const issues = error.issues.map((issue) =>
    issue.code === 'invalid_type' && issue.message.endsWith('received undefined')
      ? { path: issue.path, message: 'Required' }
      : issue,
  );
  return issuesToFieldErrors(issues, prefix);
}

export function joinPath(prefix: string, path: string): string {
  return prefix && path ? `${prefix}.${path}` : prefix || path;
}

/** A field error at `path` inside the object at `prefix`. */
export function fieldError(prefix: string, path: string, message: string): FieldError {
  return { path: joinPath(prefix, path), message };
}
