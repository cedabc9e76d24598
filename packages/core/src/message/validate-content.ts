import type { z } from 'zod';
import { err, issuesToFieldErrors, ok } from '../shared/result';
import type { Result } from '../shared/result';
import { messageContentSchema } from './content-schema';
import type { MessageContent } from './content-schema';

/** zod reports unknown fields as one issue on their parent; an operator wants each field named. */
function perField(issues: readonly z.core.$ZodIssue[]): Array<{ path: PropertyKey[]; message: string }> {
  return issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: [...issue.path, key], message: 'is not a known field here' }))
      : [{ path: issue.path, message: issue.message }],
  );
}

/**
 * Parses message content from the API or the console. Field errors carry dot paths such as `buttons`,
 * `sections.0.rows.2.title` or `bindings.body.2`, and messages such as
 * "must be at most 20 characters (got 21)".
 */
export function validateContent(input: unknown): Result<MessageContent> {
  const parsed = messageContentSchema.safeParse(input);
  return parsed.success ? ok(parsed.data) : err(issuesToFieldErrors(perField(parsed.error.issues)));
}
