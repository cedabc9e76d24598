/**
 * Expected failures are values, not exceptions (DESIGN habit 3). A `FieldError` names the field by
 * its path (dot- and index-separated, e.g. `content.buttons.2.title`) and says what is wrong, so the
 * HTTP layer can turn it into `{"error": {"details": [{"path", "message"}]}}` without translation.
 */
export interface FieldError {
  path: string;
  message: string;
}

export type Result<T, E = FieldError[]> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const err = <E>(error: E): { ok: false; error: E } => ({ ok: false, error });

/** Turns zod issues into field errors. Kept structural so core does not depend on zod's types here. */
export function issuesToFieldErrors(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string; code?: string; keys?: readonly string[] }>,
  prefix = '',
): FieldError[] {
  const join = (parts: string[]) => parts.filter((x) => x !== '').join('.');
  return issues.flatMap((issue) => {
    const path = issue.path.map((p) => String(p));
    // An unknown field is reported on the field itself, so the caller sees which one to remove.
    if (issue.code === 'unrecognized_keys' && issue.keys?.length) {
      return issue.keys.map((k) => ({ path: join([prefix, ...path, k]), message: 'is not a known field' }));
    }
    return [{ path: join([prefix, ...path]) || '(root)', message: issue.message }];
  });
}
