import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { Histogram } from 'prom-client';
import { v7 as uuidv7 } from 'uuid';
import type { Container } from '../app/container';
import { createAuthenticate } from './authenticate';
import { errorBody, handleError } from './errors';
import { registerRoutes } from './routes/index';
import type { App, RouteInfo } from './types';

export interface BuildAppOptions {
  /** Extra route plugins mounted after the core routes (the sandbox, the console's static files). */
  plugins?: ((app: App) => Promise<void>)[];
  /** Whether to serve Swagger UI at /docs (true by default). */
  docs?: boolean;
}

/** Builds the HTTP API. It does not listen: the CLI's `serve` does (factories build, mains start). */
export async function buildApp(c: Container, opts: BuildAppOptions = {}): Promise<App> {
  const app = Fastify({
    loggerInstance: c.logger as FastifyBaseLogger,
    bodyLimit: 10 * 1024 * 1024,
    // Requests are logged once, by the onResponse hook below (with route and status), not twice by Fastify.
    logController: new LogController({ disableRequestLogging: true }),
    requestIdHeader: 'x-request-id',
    genReqId: () => uuidv7(),
    trustProxy: true,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((req, reply) => reply.status(404).send(errorBody('not_found', `no route ${req.method} ${req.url.split('?')[0]}`, [], req.id)));
  app.decorateRequest('actor', null as never);

  const duration = new Histogram({
    name: 'wareach_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [c.metrics],
  });
  app.addHook('onResponse', async (req, reply) => {
    duration.observe({ method: req.method, route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    if (reply.statusCode >= 500) req.log.error({ reqId: req.id, url: req.url, status: reply.statusCode }, 'request failed');
    else req.log.debug({ reqId: req.id, method: req.method, url: req.url, status: reply.statusCode, ms: reply.elapsedTime }, 'request');
  });
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });

  // The documentation routes are public; every other route must name its permission (checked below).
  const routeTable: RouteInfo[] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/docs') || route.url === '/openapi.json') route.config = { ...(route.config ?? {}), public: true };
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') routeTable.push({ method, url: route.url, permission: route.config?.permission, public: route.config?.public === true });
    }
  });
  await app.register(cookie);
  await app.register(multipart, { limits: { fileSize: 100 * 1024 * 1024, files: 1 } });
  await app.register(rateLimit, {
    global: true,
    max: c.config.rateLimitPerMinute,
    timeWindow: 60_000,
    keyGenerator: (req) => req.headers.authorization ?? req.ip,
    allowList: (req) => req.url === '/healthz' || req.url === '/readyz' || req.url.startsWith('/webhooks/') || req.url.startsWith('/sandbox/'),
    errorResponseBuilder: (req, ctx) => ({ statusCode: 429, ...errorBody('rate_limited', `Too many requests: at most ${ctx.max} a minute; retry after ${ctx.after}`, [], req.id) }),
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'wareach API',
        version: '0.1.0',
        description:
          'WhatsApp outreach platform. Authenticate with `Authorization: Bearer <api key>`. Errors always have the shape `{"error": {"code", "message", "details": [{"path", "message"}]}}`. JSON batch endpoints are all-or-nothing: one bad item refuses the batch with a detail per bad item and nothing is written. NDJSON imports report per line.',
      },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' }, session: { type: 'apiKey', in: 'cookie', name: 'wareach_session' } } },
      security: [{ apiKey: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
  });
  if (opts.docs !== false) await app.register(swaggerUi, { routePrefix: '/docs' });

  // onRequest: who is calling is checked before the body is validated, so a caller without the
  // permission learns nothing about the route's input.
  app.addHook('onRequest', createAuthenticate(c.auth));
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await registerRoutes(app, c);
  for (const p of opts.plugins ?? []) await p(app);
  return app;
}
