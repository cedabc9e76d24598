import { createSandbox, startSandboxServer, type Sandbox, type SandboxOptions, type SandboxServer } from '@wareach/sandbox';
import { startRuntime, type Runtime } from '../../src/cli/start';
import { systemActor, systemClock } from '../../src/services/ports';
import { startTestServer, type Dialect, type TestServer } from '../helpers';
import { SBX_PHONE, SBX_SECRET, SBX_TOKEN, SBX_WABA } from './e2e-env';

export const phoneOf = (i: number) => `+86155${String(i).padStart(8, '0')}`;

export interface BroadcastEnv {
  server: TestServer;
  sbx: SandboxServer;
  sandbox: Sandbox;
  runtime: Runtime;
  channelId: string;
  /** The environment a `wareach worker` child needs to join this installation. */
  workerEnv: Record<string, string>;
  /** Creates, submits and approves a scheduled-once template task to every profile, due `inMs` after its creation. */
  scheduleBroadcast(name: string, inMs: number): Promise<string>;
  /** Deliveries of the task by state. */
  states(taskId: string): Promise<Record<string, number>>;
  close(): Promise<void>;
}

/**
 * An installation for process tests: this process is the API (`serve`: webhook receiver and drain,
 * engine sink; no worker), on a fresh SQLite file or PostgreSQL schema (+ Redis when `redisPrefix`),
 * a sandbox in this process posting its webhooks here, one channel, and `recipients` profiles with a
 * WhatsApp number. Workers are separate `wareach worker` processes started by the test.
 */
export async function startBroadcastEnv(o: {
  dialect: Dialect;
  recipients: number;
  reconcileWindowMs: number;
  throughput: number;
  redis?: { url: string; prefix: string };
  sandbox?: SandboxOptions;
}): Promise<BroadcastEnv> {
  const sandbox = createSandbox({
    accessTokens: [SBX_TOKEN], appSecret: SBX_SECRET,
    log: { recentPerConversation: 1, maxStoredMessages: 1000 },
    ...o.sandbox,
  });
  const sbx = await startSandboxServer({ sandbox });
  const env: Record<string, string> = {
    WAREACH_RECONCILE_WINDOW_MS: String(o.reconcileWindowMs),
    ...(o.redis ? { WAREACH_REDIS_URL: o.redis.url, WAREACH_REDIS_PREFIX: o.redis.prefix } : {}),
  };
  const server = await startTestServer(o.dialect, { env, clock: systemClock });
  const c = server.c;
  const runtime = await startRuntime('serve', c);
  const ch = await server.request('POST', '/api/v1/channels/whatsapp', {
    name: 'Sandbox (scale)', wabaId: SBX_WABA,
    phoneNumbers: [{ phoneNumberId: SBX_PHONE, displayNumber: '+1 555-078-3881', throughput: o.throughput, tier: 'TIER_UNLIMITED' }],
    accessToken: SBX_TOKEN, appSecret: SBX_SECRET, verifyToken: 'scale-verify', baseUrl: `${sbx.url}/sandbox/graph`,
  });
  if (ch.status !== 201) throw new Error(`channel: ${ch.status} ${JSON.stringify(ch.body)}`);
  const channelId = ch.body.id as string;
  sandbox.updateConfig({ defaultWebhookUrl: `${server.url}/webhooks/whatsapp/${channelId}` });
  await c.templates.sync(systemActor, channelId);
  await c.project.updateSettings(systemActor, { channelCap: null, crossChannelCap: null });
  for (let i = 0; i < o.recipients; i += 1000) {
    const batch = [];
    for (let k = i; k < Math.min(o.recipients, i + 1000); k++) batch.push({ id: `p${k}`, identities: { whatsapp: phoneOf(k) }, attributes: { cohort: 'scale' } });
    await c.customerData.upsertProfiles(batch);
  }
  const db = c.config.database;
  return {
    server, sbx, sandbox, runtime, channelId,
    workerEnv: {
      ...env,
      WAREACH_DATABASE_URL: db.kind === 'sqlite' ? db.file : db.url,
      WAREACH_DATA_DIR: c.config.dataDir,
      WAREACH_SECRET_KEY: '11'.repeat(32),
      WAREACH_ADMIN_PASSWORD: 'admin-password-123',
    },
    async scheduleBroadcast(name, inMs) {
      const seg = await server.request('POST', '/api/v1/segments', {
        name: `${name} audience`, kind: 'rule', visibleInList: true,
        rule: { kind: 'and', children: [{ kind: 'attribute', name: 'cohort', valueType: 'string', op: 'eq', value: 'scale' }] },
      });
      if (seg.status !== 201) throw new Error(`segment: ${seg.status} ${JSON.stringify(seg.body)}`);
      const tpl = await c.templates.getApprovedTemplate(channelId, 'welcome_offer', 'en');
      if (!tpl) throw new Error('welcome_offer (en) is not synced');
      const task = await server.request('POST', '/api/v1/tasks', {
        basic: { name },
        audience: { mode: 'segment', segmentId: seg.body.id },
        trigger: { type: 'scheduled_once', sendAt: new Date(Date.now() + inMs).toISOString(), approvalTimeout: 'run_after_approval', refreshSegment: false },
        delivery: { channelId, phoneNumberId: SBX_PHONE, taskType: 'normal', globalLimit: false, content: { type: 'template', template: tpl.definition, bindings: {} } },
      }, { role: 'operator' });
      if (task.status !== 201) throw new Error(`task: ${task.status} ${JSON.stringify(task.body)}`);
      const id = task.body.id as string;
      const s = await server.request('POST', `/api/v1/tasks/${id}/submit`, {}, { role: 'operator' });
      if (s.status !== 200) throw new Error(`submit: ${s.status} ${JSON.stringify(s.body)}`);
      const a = await server.request('POST', `/api/v1/tasks/${id}/approve`, {}, { role: 'approver' });
      if (a.status !== 200) throw new Error(`approve: ${a.status} ${JSON.stringify(a.body)}`);
      return id;
    },
    async states(taskId) {
      const rows = await c.db.selectFrom('deliveries').select(['state', (eb) => eb.fn.countAll<number>().as('n')]).where('task_id', '=', taskId).groupBy('state').execute();
      return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
    },
    async close() {
      await sbx.close();
      await runtime.stop();
      await server.close();
    },
  };
}
