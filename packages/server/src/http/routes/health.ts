import { sql } from 'kysely';
import type { Container } from '../../app/container';
import type { App } from '../types';

export async function healthRoutes(app: App, c: Container) {
  app.get('/healthz', { config: { public: true }, schema: { tags: ['system'], summary: 'Liveness: the process answers' } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config: { public: true }, schema: { tags: ['system'], summary: 'Readiness: the database (and queue) answer' } }, async (_req, reply) => {
    try {
      await sql`select 1`.execute(c.db);
      return { status: 'ready', database: c.database.dialect };
    } catch (e) {
      return reply.status(503).send({ status: 'unavailable', reason: (e as Error).message });
    }
  });
  app.get('/metrics', { config: { public: true }, schema: { tags: ['system'], summary: 'Prometheus metrics' } }, async (_req, reply) => {
    reply.header('content-type', c.metrics.contentType);
    return c.metrics.metrics();
  });
}
