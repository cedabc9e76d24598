import type { TransitionRefusal } from '@wareach/core';
import { AppError, invalidState } from './errors';

export { nameKey } from '@wareach/core';

/** A unique index refused a write (SQLite or PostgreSQL). */
export const isUniqueViolation = (e: unknown) => {
  const x = e as { code?: string; message?: string };
  return x.code === '23505' || x.code === 'SQLITE_CONSTRAINT_UNIQUE' || /UNIQUE constraint failed/.test(x.message ?? '');
};

/** Core's refusal of a transition as the API's error: who may not (403) or what cannot happen now (409). */
export function refusalError(r: TransitionRefusal): AppError {
  switch (r.code) {
    case 'self_approval':
      return new AppError('forbidden', r.message, [], 'self_approval');
    case 'approver_required':
      return new AppError('forbidden', r.message, [], 'forbidden');
    case 'approval_window_closed':
      return new AppError('invalid_state', r.message, [], 'approval_window_closed');
    case 'not_allowed':
    case 'wrong_trigger_type':
      return invalidState(r.message);
  }
}
