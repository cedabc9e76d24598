import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Container } from '../../app/container';
import type { App } from '../types';

const channelParams = z.strictObject({ channelId: z.string().min(1).max(200) });

/**
 * Meta's webhook endpoint, one per channel. Public (Meta carries no API key), so the POST is trusted only
 * through its X-Hub-Signature-256. The routes live in their own encapsulated plugin whose JSON parser
 * keeps the raw bytes: the signature is over the exact bytes received, and re-serialised JSON would not
 * match (NOTES 3.2).
 */
export async function webhookRoutes(app: App, c: Container) {
  await app.register(async (plain) => {
    const scope = plain.withTypeProvider<ZodTypeProvider>();
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

    scope.get('/webhooks/whatsapp/:channelId', {
      config: { public: true, rateLimit: false },
      schema: {
        tags: ['webhooks'],
        summary: 'Webhook verification handshake (Meta calls it when the callback URL is saved)',
        params: channelParams,
        querystring: z.record(z.string(), z.string()),
      },
    }, async (req, reply) => {
      const r = await c.whatsapp.webhooks.handshake(req.params.channelId, req.query);
      if (!r.ok) return reply.status(r.status).type('text/plain').send(r.status === 404 ? 'unknown channel' : 'forbidden');
      return reply.status(200).type('text/plain').send(r.challenge);
    });

    scope.post('/webhooks/whatsapp/:channelId', {
      // Not rate limited (Meta decides the pace; the global limiter's allow-list exempts /webhooks/ too):
      // without the hook at all, a POST skips one onRequest step.
      config: { public: true, rateLimit: false },
      bodyLimit: 16 * 1024 * 1024,
      schema: {
        tags: ['webhooks'],
        summary: 'WhatsApp webhook (statuses, inbound messages, template updates), signed with X-Hub-Signature-256',
        description: 'Verified with HMAC-SHA256 of the raw body under the channel\'s app secret; unsigned or wrongly signed → 401 and nothing is processed. Answered 200 once stored; processed asynchronously.',
        params: channelParams,
      },
    }, async (req, reply) => {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const sig = req.headers['x-hub-signature-256'];
      // The client address is only logged for a refused POST: read (through the proxy headers) only then.
      const meta = { get ip() { return req.ip; } };
      const r = await c.whatsapp.webhooks.receive(req.params.channelId, raw, typeof sig === 'string' ? sig : undefined, meta);
      if (!r.ok) return reply.status(r.status).type('text/plain').send(r.status === 404 ? 'unknown channel' : 'invalid signature');
      return reply.status(200).type('text/plain').send('EVENT_RECEIVED');
    });
  });
}
