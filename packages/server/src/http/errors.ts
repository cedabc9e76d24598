import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, type AppErrorKind } from '../services/errors';

export interface ErrorBody {
  error: { code: string; message: string; details: { path: string; message: string }[]; requestId?: string };
}

/** Domain error kinds become HTTP statuses here, once (DESIGN habit 4). */
const STATUS: Record<AppErrorKind, number> = {
  validation: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  invalid_state: 409,
  rate_limited: 429,
  unavailable: 503,
};

export function errorBody(code: string, message: string, details: ErrorBody['error']['details'] = [], requestId?: string): ErrorBody {
  return { error: { code, message, details, ...(requestId ? { requestId } : {}) } };
}

export function handleError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) {
  const rid = request.id;
  if (error instanceof AppError) {
    return reply.status(STATUS[error.kind]).send(errorBody(error.code, error.message, error.details, rid));
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const ctx = (error as { validationContext?: string }).validationContext;
    const prefix = ctx && ctx !== 'body' ? `${ctx === 'querystring' ? 'query' : ctx}.` : '';
    const details = error.validation.map((v) => {
      const p = v.instancePath.replace(/^\//, '').split('/').filter(Boolean).join('.');
      const keys = (v.params as { keys?: string[] }).keys;
      // Unknown fields are reported on the field itself, so the caller sees which one to remove.
      if (v.keyword === 'unrecognized_keys' && keys?.length) return keys.map((k) => ({ path: prefix + (p ? `${p}.${k}` : k), message: 'is not a known field' }));
      return [{ path: prefix + p || prefix.replace(/\.$/, '') || '(root)', message: v.message ?? 'is not valid' }];
    }).flat();
    return reply.status(400).send(errorBody('validation', 'The request is not valid', details, rid));
  }
  const fe = error as FastifyError;
  if (fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (fe.statusCode === 400 && /JSON/i.test(fe.message))) {
    return reply.status(400).send(errorBody('malformed_json', `The body is not valid JSON: ${fe.message}`, [{ path: '(body)', message: fe.message }], rid));
  }
  if (fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
    return reply.status(400).send(errorBody('validation', 'The body is empty', [{ path: '(body)', message: 'is required' }], rid));
  }
  if (fe.statusCode === 429) {
    return reply.status(429).send(errorBody('rate_limited', fe.message || 'Too many requests', [], rid));
  }
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    const code = fe.statusCode === 413 ? 'payload_too_large' : fe.statusCode === 415 ? 'unsupported_media_type' : 'bad_request';
    return reply.status(fe.statusCode).send(errorBody(code, fe.message, [], rid));
  }
  request.log.error({ err: error }, 'unhandled error');
  return reply.status(500).send(errorBody('internal', 'Something went wrong on our side; the request id helps find it in the logs', [], rid));
}
