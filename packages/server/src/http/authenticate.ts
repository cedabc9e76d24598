import type { FastifyReply, FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import type { AuthService } from '../services/auth';
import { AppError } from '../services/errors';

export const SESSION_COOKIE = 'wareach_session';
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

function bearer(request: FastifyRequest): string | undefined {
  const h = request.headers.authorization;
  if (!h) return undefined;
  if (h.startsWith('Bearer ')) return h.slice(7).trim();
  // Segment's HTTP API sends the write key as the Basic-auth user name.
  if (h.startsWith('Basic ')) return Buffer.from(h.slice(6), 'base64').toString('utf8').split(':')[0];
  return undefined;
}

const sameToken = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * Resolves who is calling and checks the route's permission. API keys come as `Authorization: Bearer`;
 * console members as the session cookie, and then every unsafe method must echo the session's CSRF token
 * in `x-csrf-token` (a cross-site form cannot read it, so it cannot forge the request).
 */
export function createAuthenticate(auth: AuthService) {
  return async function authenticate(request: FastifyRequest, _reply: FastifyReply) {
    const cfg = request.routeOptions.config;
    if (cfg?.public) return;
    const key = bearer(request);
    if (key) {
      const actor = await auth.actorFromApiKey(key);
      if (!actor) throw new AppError('unauthenticated', 'the API key is not valid or was revoked');
      request.actor = actor;
    } else {
      const cookie = request.cookies?.[SESSION_COOKIE];
      const s = cookie ? await auth.actorFromSession(cookie) : undefined;
      if (!s) throw new AppError('unauthenticated', 'log in, or send an API key as Authorization: Bearer <key>');
      if (!SAFE.has(request.method) && !cfg?.skipCsrf) {
        const sent = request.headers['x-csrf-token'];
        if (typeof sent !== 'string' || !sameToken(sent, s.csrfToken)) {
          throw new AppError('forbidden', 'missing or wrong x-csrf-token header', [], 'csrf');
        }
      }
      request.actor = s.actor;
      request.csrfToken = s.csrfToken;
    }
    const perm = cfg?.permission;
    if (!perm) throw new AppError('forbidden', 'this route declares no permission');
    if (!request.actor.permissions.has(perm)) throw new AppError('forbidden', `your role lacks the permission ${perm}`, [], 'forbidden');
  };
}
