import type { FieldError } from '@wareach/core';

/**
 * The failures a use-case reports to its caller. The HTTP layer maps each kind to a status once, by
 * table (http/errors.ts); the console branches on `code`.
 */
export type AppErrorKind =
  | 'validation'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'invalid_state'
  | 'rate_limited'
  | 'unavailable';

export class AppError extends Error {
  constructor(
    readonly kind: AppErrorKind,
    message: string,
    readonly details: FieldError[] = [],
    readonly code: string = kind,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const validationError = (details: FieldError[], message = 'The request is not valid') =>
  new AppError('validation', message, details);
export const notFound = (what: string, id: string) => new AppError('not_found', `${what} ${id} does not exist`);
export const conflict = (message: string, details: FieldError[] = []) => new AppError('conflict', message, details);
export const forbidden = (message: string) => new AppError('forbidden', message);
export const invalidState = (message: string, details: FieldError[] = []) => new AppError('invalid_state', message, details);
