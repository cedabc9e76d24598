import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ensureSandboxChannel, SANDBOX_CHANNEL_NAME, startWhatsappRuntime, type WhatsappRuntime } from '../../src/app/sandbox-wiring';
import { buildApp } from '../../src/http/app';
import type { App } from '../../src/http/types';
import { builtinRoleId } from '../../src/services/auth';
import { systemActor } from '../../src/services/ports';
import { createTestContainer } from '../helpers';

describe('sandbox wiring (npm start)', () => {
  let tc: Awaited<ReturnType<typeof createTestContainer>>;
  let runtime: WhatsappRuntime;
  let app: App;
  let url: string;
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    tc = await createTestContainer('sqlite', { env: { WAREACH_SANDBOX: 'true', WAREACH_PORT: '1' } });
    runtime = await startWhatsappRuntime('start', tc.c);
    app = await buildApp(tc.c, { docs: false, plugins: runtime.httpPlugins });
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    for (const role of ['admin', 'analyst'] as const) keys[role] = (await tc.c.auth.createApiKey(systemActor, { name: role, roleId: builtinRoleId(role) })).key;
  });
  afterAll(async () => {
    await app?.close();
    await runtime?.stop();
    await tc?.close();
  });

  const get = (path: string, key?: string) => fetch(url + path, { headers: key ? { authorization: `Bearer ${key}` } : {} });

  it('keeps one default sandbox channel pointed at this server, and syncs its templates once listening', async () => {
    const channels = await tc.c.channels.list();
    expect(channels).toHaveLength(1);
    expect(channels[0]).toMatchObject({ name: SANDBOX_CHANNEL_NAME, sandbox: true, baseUrl: `${url}/sandbox/graph`, apiVersion: 'v23.0', status: 'active' });
    await vi.waitFor(async () => {
      const t = await tc.c.templates.list({ channelId: channels[0]!.id, status: 'APPROVED', limit: 100, offset: 0 });
      expect(t.total).toBeGreaterThan(0);
    }, { timeout: 10_000, interval: 50 });
    const again = await ensureSandboxChannel(tc.c, url);
    expect(again.channelId).toBe(channels[0]!.id);
    expect(await tc.c.channels.list()).toHaveLength(1);
  });

  it('serves the Graph API publicly (its own tokens) and the inbox behind sandbox.use', async () => {
    const ch = (await tc.c.channels.list())[0]!;
    const wrong = await get(`/sandbox/graph/v23.0/${ch.phoneNumbers[0]!.phoneNumberId}`, 'not-a-sandbox-token');
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: { code: number } }).error.code).toBe(190);
    expect((await get('/api/v1/sandbox/conversations')).status).toBe(401);
    expect((await get('/api/v1/sandbox/conversations', keys.analyst)).status).toBe(403);
    expect((await get('/api/v1/sandbox/conversations', keys.admin)).status).toBe(200);
  });

  it('a test send reaches the in-process sandbox, and its signed status webhooks come back through the drain', async () => {
    const ch = (await tc.c.channels.list())[0]!;
    const phoneNumberId = ch.phoneNumbers[0]!.phoneNumberId;
    const inbox = await fetch(`${url}/api/v1/sandbox/conversations/${phoneNumberId}/8613800000999/actions`, {
      method: 'POST', headers: { authorization: `Bearer ${keys.admin}`, 'content-type': 'application/json' }, body: JSON.stringify({ type: 'text', body: 'hello' }),
    });
    expect(inbox.status).toBeLessThan(300);
    await vi.waitFor(async () => expect(await tc.c.serviceWindows.lastInboundAt('+8613800000999')).toBeDefined(), { timeout: 10_000, interval: 50 });
    const r = await fetch(`${url}/api/v1/messages/test`, {
      method: 'POST', headers: { authorization: `Bearer ${keys.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ channelId: ch.id, phoneNumberId, content: { type: 'text', body: 'Hello from wareach' }, recipients: ['+8613800000999'] }),
    });
    const sent = (await r.json()) as { items: { id: string; state: string }[] };
    expect(sent.items[0]!.state).toBe('accepted');
    await vi.waitFor(async () => {
      const list = await tc.c.whatsapp.testSends.list({ limit: 5, offset: 0 });
      expect(['sent', 'delivered', 'read']).toContain(list.items.find((i) => i.id === sent.items[0]!.id)?.state);
    }, { timeout: 10_000, interval: 50 });
  });
});
