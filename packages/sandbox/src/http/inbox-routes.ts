/**
 * The phone inbox API under `/api/v1/sandbox/...`: conversations and their rendered messages, taps and typed
 * replies, configuration (faults, webhook targets, app secret), the message log and reset. Errors use the
 * project's shape `{error: {code, message, details?: [{path, message}]}}`; the optional `authorize`
 * preHandler lets the server protect these routes.
 */
import type { FastifyInstance, FastifyReply, preHandlerAsyncHookHandler } from 'fastify';
import { z } from 'zod';
import { inboxActionSchema } from '../inbox/inbox-actions';
import type { Sandbox } from '../sandbox';

type Query = Record<string, string | undefined>;

function problem(reply: FastifyReply, status: number, code: string, message: string, details?: Array<{ path: string; message: string }>): FastifyReply {
  return reply.code(status).send({ error: { code, message, ...(details ? { details } : {}) } });
}

const webhooksSchema = z.strictObject({
  appSecret: z.string().min(1).optional(),
  defaultUrl: z.url().nullable().optional(),
  byWaba: z.record(z.string(), z.url().nullable()).optional(),
  byPhoneNumber: z.record(z.string(), z.url().nullable()).optional(),
});

function issues(error: z.ZodError): Array<{ path: string; message: string }> {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

function webhookView(sandbox: Sandbox) {
  const c = sandbox.getConfig();
  const byWaba: Record<string, string> = {};
  const byPhoneNumber: Record<string, string> = {};
  for (const w of c.wabas) {
    if (w.webhookUrl) byWaba[w.id] = w.webhookUrl;
    for (const p of w.phoneNumbers) if (p.webhookUrl) byPhoneNumber[p.id] = p.webhookUrl;
  }
  return { appSecret: c.appSecret, defaultUrl: c.defaultWebhookUrl ?? null, byWaba, byPhoneNumber, stats: sandbox.webhookStats() };
}

export async function inboxRoutes(app: FastifyInstance, opts: { sandbox: Sandbox; authorize?: preHandlerAsyncHookHandler }): Promise<void> {
  const sandbox = opts.sandbox;
  if (opts.authorize) app.addHook('preHandler', opts.authorize);

  const patchConfig = (reply: FastifyReply, patch: unknown) => {
    const r = sandbox.updateConfig(patch);
    return r.ok ? r.value : problem(reply, 422, 'invalid_config', 'configuration rejected', r.errors);
  };

  app.get('/config', async () => sandbox.getConfig());
  app.put('/config', async (request, reply) => patchConfig(reply, request.body ?? {}));
  app.get('/faults', async () => sandbox.getConfig().faults);
  app.put('/faults', async (request, reply) => {
    const r = sandbox.updateConfig({ faults: request.body ?? {} });
    return r.ok ? r.value.faults : problem(reply, 422, 'invalid_config', 'fault settings rejected', r.errors);
  });

  app.get('/webhooks', async () => webhookView(sandbox));
  app.put('/webhooks', async (request, reply) => {
    const parsed = webhooksSchema.safeParse(request.body ?? {});
    if (!parsed.success) return problem(reply, 422, 'invalid_webhooks', 'webhook settings rejected', issues(parsed.error));
    const w = parsed.data;
    const wabas = sandbox.getConfig().wabas.map((waba) => {
      const wabaUrl = w.byWaba && waba.id in w.byWaba ? w.byWaba[waba.id] : waba.webhookUrl;
      return {
        ...waba,
        webhookUrl: wabaUrl ?? undefined,
        phoneNumbers: waba.phoneNumbers.map((p) => {
          const url = w.byPhoneNumber && p.id in w.byPhoneNumber ? w.byPhoneNumber[p.id] : p.webhookUrl;
          return { ...p, webhookUrl: url ?? undefined };
        }),
      };
    });
    const patch: Record<string, unknown> = { wabas };
    if (w.appSecret !== undefined) patch['appSecret'] = w.appSecret;
    if (w.defaultUrl !== undefined) patch['defaultWebhookUrl'] = w.defaultUrl;
    const r = sandbox.updateConfig(patch);
    return r.ok ? webhookView(sandbox) : problem(reply, 422, 'invalid_webhooks', 'webhook settings rejected', r.errors);
  });
  app.post('/webhooks/verify', async (request, reply) => {
    const parsed = z.strictObject({ url: z.url(), verifyToken: z.string() }).safeParse(request.body ?? {});
    if (!parsed.success) return problem(reply, 422, 'invalid_request', 'url and verifyToken are required', issues(parsed.error));
    return sandbox.verifyWebhook(parsed.data.url, parsed.data.verifyToken);
  });
  app.post('/webhooks/flush', async () => {
    await sandbox.flushWebhooks();
    return webhookView(sandbox).stats;
  });

  app.get<{ Querystring: Query }>('/conversations', async (request) => {
    const q = request.query;
    return sandbox.listConversations({
      ...(q['phoneNumberId'] ? { phoneNumberId: q['phoneNumberId'] } : {}),
      ...(q['limit'] ? { limit: Number(q['limit']) || 20 } : {}),
      ...(q['cursor'] ? { cursor: Number(q['cursor']) } : {}),
    });
  });
  app.get<{ Params: { phoneNumberId: string; waId: string } }>('/conversations/:phoneNumberId/:waId', async (request, reply) => {
    const view = sandbox.getConversation(request.params.phoneNumberId, request.params.waId);
    return view ?? problem(reply, 404, 'not_found', 'no such conversation');
  });
  app.post<{ Params: { phoneNumberId: string; waId: string } }>('/conversations/:phoneNumberId/:waId/actions', async (request, reply) => {
    const parsed = inboxActionSchema.safeParse(request.body ?? {});
    if (!parsed.success) return problem(reply, 422, 'invalid_action', 'action rejected', issues(parsed.error));
    const r = sandbox.act(request.params.phoneNumberId, request.params.waId, parsed.data);
    if (!r.ok) return problem(reply, r.status, r.code, r.message);
    return r.value;
  });

  app.get<{ Querystring: Query }>('/templates', async (request, reply) => {
    const wabaId = request.query['wabaId'] ?? sandbox.getConfig().wabas[0]?.id;
    if (!wabaId) return problem(reply, 404, 'not_found', 'no WABA configured');
    return { data: sandbox.templates(wabaId) };
  });
  app.put<{ Params: { id: string } }>('/templates/:id/status', async (request, reply) => {
    const parsed = z.strictObject({ status: z.enum(['APPROVED', 'PENDING', 'REJECTED', 'PAUSED', 'DISABLED']) }).safeParse(request.body ?? {});
    if (!parsed.success) return problem(reply, 422, 'invalid_status', 'status rejected', issues(parsed.error));
    if (!sandbox.setTemplateStatus(request.params.id, parsed.data.status)) return problem(reply, 404, 'not_found', 'no such template');
    return { ok: true };
  });
  app.get<{ Params: { id: string } }>('/media/:id', async (request, reply) => {
    const media = sandbox.media(request.params.id);
    if (!media) return problem(reply, 404, 'not_found', 'no such media');
    return reply.header('content-type', media.mimeType).send(media.data);
  });

  app.get<{ Querystring: Query }>('/log', async (request) => {
    const q = request.query;
    return {
      data: sandbox.logEntries(
        { ...(q['phoneNumberId'] ? { phoneNumberId: q['phoneNumberId'] } : {}), ...(q['waId'] ? { waId: q['waId'] } : {}) },
        Math.min(10_000, Number(q['limit'] ?? 1000) || 1000),
      ),
    };
  });
  app.get('/log/summary', async () => sandbox.summary());
  app.post('/log/clear', async () => {
    sandbox.clearLog();
    return sandbox.summary();
  });
  app.post('/reset', async () => {
    sandbox.reset();
    return { ok: true };
  });
}
