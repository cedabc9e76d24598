/**
 * A small real HTTP server that plays the platform's webhook endpoint in tests: it keeps each raw body with
 * its signature header, can be told to fail the next N deliveries, answers Meta's verification handshake,
 * and lets a test wait for what it expects to arrive (no sleeping: waiters are woken by arrivals).
 */
import Fastify from 'fastify';

export interface ReceivedWebhook {
  raw: string;
  signature: string | undefined;
  body: WebhookBody;
}

export interface WebhookBody {
  object: string;
  entry: Array<{ id: string; time?: number; changes: Array<{ field: string; value: Record<string, unknown> }> }>;
}

export interface StatusItem {
  id: string;
  status: string;
  timestamp: string;
  recipient_id: string;
  biz_opaque_callback_data?: string;
  errors?: Array<{ code: number; title: string; message: string; error_data: { details: string }; href: string }>;
  pricing?: { billable: boolean; pricing_model: string; category: string; type: string };
  conversation?: { id: string; expiration_timestamp?: string; origin: { type: string } };
}

export interface InboundItem {
  contact: { profile: { name: string }; wa_id: string };
  message: Record<string, unknown> & { id: string; from: string; type: string; context?: { from: string; id: string } };
  metadata: { display_phone_number: string; phone_number_id: string };
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Requests answered with a failure status (not in `received`). */
  rejected: number;
  statuses(): StatusItem[];
  inbound(): InboundItem[];
  failNext(count: number, status?: number): void;
  waitFor(predicate: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(opts: { verifyToken?: string } = {}): Promise<WebhookReceiver> {
  const app = Fastify({ logger: false, bodyLimit: 50 * 1024 * 1024 });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  const received: ReceivedWebhook[] = [];
  const waiters: Array<() => void> = [];
  let failures = 0;
  let failStatus = 500;
  const state = { rejected: 0 };

  app.get('/hook', async (request, reply) => {
    const q = request.query as Record<string, string>;
    if (q['hub.mode'] === 'subscribe' && q['hub.verify_token'] === opts.verifyToken) return reply.type('text/plain').send(q['hub.challenge']);
    return reply.code(403).send('forbidden');
  });
  app.post('/hook', async (request, reply) => {
    if (failures > 0) {
      failures -= 1;
      state.rejected += 1;
      return reply.code(failStatus).send('try later');
    }
    const raw = request.body as string;
    received.push({ raw, signature: request.headers['x-hub-signature-256'] as string | undefined, body: JSON.parse(raw) as WebhookBody });
    for (const wake of waiters.splice(0)) wake();
    return reply.code(200).send('EVENT_RECEIVED');
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  const changes = () => received.flatMap((r) => r.body.entry.flatMap((e) => e.changes.filter((c) => c.field === 'messages')));
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    get rejected() {
      return state.rejected;
    },
    statuses: () => changes().flatMap((c) => (c.value['statuses'] as StatusItem[] | undefined) ?? []),
    inbound: () =>
      changes().flatMap((c) => {
        const messages = (c.value['messages'] as InboundItem['message'][] | undefined) ?? [];
        const contacts = (c.value['contacts'] as InboundItem['contact'][] | undefined) ?? [];
        return messages.map((message, i) => ({ message, contact: contacts[i]!, metadata: c.value['metadata'] as InboundItem['metadata'] }));
      }),
    failNext(count, status = 500) {
      failures = count;
      failStatus = status;
    },
    async waitFor(predicate, what, timeoutMs = 5000) {
      if (predicate()) return;
      await new Promise<void>((resolve, reject) => {
        const guard = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
        const check = () => {
          if (predicate()) {
            clearTimeout(guard);
            resolve();
          } else {
            waiters.push(check);
          }
        };
        waiters.push(check);
      });
    },
    close: () => app.close(),
  };
}
