import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Permission } from '@wareach/core';
import type { Actor } from '../services/ports';

export type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, ZodTypeProvider>;

/** Every registered route with what it requires: the permission matrix test walks this table. */
export interface RouteInfo {
  method: string;
  url: string;
  permission: Permission | undefined;
  public: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    routeTable: RouteInfo[];
  }
  interface FastifyContextConfig {
    /** The permission a route needs; every route names one, or says it is public. */
    permission?: Permission;
    public?: boolean;
    /** Session-cookie callers need no CSRF token here (login itself). */
    skipCsrf?: boolean;
  }
  interface FastifyRequest {
    actor: Actor;
    csrfToken?: string;
  }
}
