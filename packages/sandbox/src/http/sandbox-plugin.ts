/**
 * Mounts the sandbox on a Fastify app: the Graph API under `/sandbox/graph`, media downloads under
 * `/sandbox/media`, the inbox API under `/api/v1/sandbox`. Encapsulated (not fastify-plugin wrapped), so its
 * error handlers and multipart parser do not leak into the host app. Register it where the host's own auth
 * hooks do not apply: Graph calls carry the sandbox's bearer tokens, not the host's.
 */
import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import type { Sandbox } from '../sandbox';
import { graphRoutes, mediaDownloadRoute } from './graph-routes';
import { inboxRoutes } from './inbox-routes';

export interface SandboxPluginOptions {
  sandbox: Sandbox;
  /** preHandler protecting the inbox API (the Graph API checks its own bearer tokens). */
  authorize?: preHandlerAsyncHookHandler;
}

export async function sandboxPlugin(app: FastifyInstance, opts: SandboxPluginOptions): Promise<void> {
  await app.register(graphRoutes, { prefix: '/sandbox/graph', sandbox: opts.sandbox });
  await app.register(mediaDownloadRoute, { sandbox: opts.sandbox });
  await app.register(inboxRoutes, {
    prefix: '/api/v1/sandbox',
    sandbox: opts.sandbox,
    ...(opts.authorize ? { authorize: opts.authorize } : {}),
  });
}
