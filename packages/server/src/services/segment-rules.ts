import { err, isConditionGroup, ok, parseAudienceRule, type AudienceCondition, type AudienceRule, type FieldError, type Result } from '@wareach/core';

const join = (prefix: string, path: string) => (prefix && path ? `${prefix}.${path}` : prefix || path);

/** Every string in the value, with its path (NUL cannot be stored in PostgreSQL text: refuse it up front). */
function nulErrors(value: unknown, path: string, out: FieldError[]): void {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) out.push({ path: path || '(root)', message: 'must not contain the NUL character' });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => nulErrors(v, join(path, String(i)), out));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) nulErrors(v, join(path, k), out);
  }
}

/** Core's rule validation (shape, limits of depth and size), with field paths under `prefix`. */
export function parseRuleInput(input: unknown, prefix: string): Result<AudienceRule> {
  const parsed = parseAudienceRule(input, prefix);
  if (!parsed.ok) return parsed;
  const errors: FieldError[] = [];
  nulErrors(input, prefix, errors);
  return errors.length ? err(errors) : ok(parsed.value);
}

/** The segment leaves of a rule with the path of their `segmentId`. */
export function segmentLeaves(rule: AudienceCondition, prefix: string): { path: string; segmentId: string }[] {
  const out: { path: string; segmentId: string }[] = [];
  const walk = (node: AudienceCondition, path: string) => {
    if (isConditionGroup(node)) node.children.forEach((c, i) => walk(c, join(path, `children.${i}`)));
    else if (node.kind === 'segment') out.push({ path: join(path, 'segmentId'), segmentId: node.segmentId });
  };
  walk(rule, prefix);
  return out;
}
