import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { startSandboxServer, type SandboxServer } from '@wareach/sandbox';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrap } from '../../src/app/bootstrap';
import { createContainer, type Container } from '../../src/app/container';
import { openDatabase } from '../../src/adapters/storage/database';
import { buildApp } from '../../src/http/app';
import type { App } from '../../src/http/types';
import { builtinRoleId } from '../../src/services/auth';
import { ManualClock, systemActor } from '../../src/services/ports';
import { createTestDatabase, testConfig } from '../helpers';
import { SBX_PHONE, SBX_WABA } from './wa-env';
import { change, envelope, sign, statusItem } from './webhook-payloads';

const TOKEN = 'EAAG-secret-token-for-log-test-7f3a9c';
const SECRET = 'app-secret-for-log-test-1b2c3d';
const VERIFY = 'verify-token-for-log-test-44aa';
const ROTATED = 'EAAG-rotated-secret-token-99zz';

describe('channel secrets never appear in API responses or logs', () => {
  const lines: string[] = [];
  let c: Container;
  let app: App;
  let url: string;
  let key: string;
  let sbx: SandboxServer;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    sbx = await startSandboxServer({ options: { accessTokens: [TOKEN], appSecret: SECRET } });
    const tdb = await createTestDatabase('sqlite');
    drop = tdb.drop;
    const sinkStream = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
    const logger = pino({ level: 'trace', redact: { paths: ['req.headers.authorization'], censor: '[redacted]' } }, sinkStream);
    c = createContainer(testConfig(tdb.database, tdb.dir), { clock: new ManualClock(Date.parse('2026-11-25T00:00:00Z')), database: openDatabase(tdb.database), logger });
    await bootstrap(c);
    app = await buildApp(c, { docs: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    key = (await c.auth.createApiKey(systemActor, { name: 'admin', roleId: builtinRoleId('admin') })).key;
  });
  afterAll(async () => {
    await app?.close();
    await c?.close();
    await sbx?.close();
    await drop?.();
  });

  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const r = await fetch(url + path, { method, headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    return r.text();
  };

  it('through create, edit, check, test send, template sync, webhooks and a token failure', async () => {
    const responses: string[] = [];
    const created = await call('POST', '/api/v1/channels/whatsapp', {
      name: 'Secret test', wabaId: SBX_WABA, phoneNumbers: [{ phoneNumberId: SBX_PHONE, displayNumber: '+1 555-078-3881' }],
      accessToken: TOKEN, appSecret: SECRET, verifyToken: VERIFY, baseUrl: `${sbx.url}/sandbox/graph`,
    });
    responses.push(created);
    const id = JSON.parse(created).id as string;
    responses.push(await call('GET', '/api/v1/channels/whatsapp'));
    responses.push(await call('GET', `/api/v1/channels/whatsapp/${id}`));
    responses.push(await call('POST', `/api/v1/channels/whatsapp/${id}/check`));
    responses.push(await call('POST', `/api/v1/channels/whatsapp/${id}/templates/sync`));
    sbx.sandbox.openWindow(SBX_PHONE, '8613800000777');
    responses.push(await call('POST', '/api/v1/messages/test', { channelId: id, phoneNumberId: SBX_PHONE, content: { type: 'text', body: 'hi' }, recipients: ['+8613800000777'] }));
    responses.push(await call('GET', '/api/v1/messages/test'));
    const raw = JSON.stringify(envelope([{ changes: [change(SBX_PHONE, { statuses: [statusItem('wamid.x', 'sent', Date.now())] })] }]));
    responses.push(await (await fetch(`${url}/webhooks/whatsapp/${id}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(raw, 'wrong') }, body: raw })).text());
    responses.push(await (await fetch(`${url}/webhooks/whatsapp/${id}?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1`)).text());
    await c.whatsapp.createDrain().drainAll();
    responses.push(await call('PATCH', `/api/v1/channels/whatsapp/${id}`, { accessToken: ROTATED }));
    responses.push(await call('POST', `/api/v1/channels/whatsapp/${id}/check`));
    responses.push(await call('POST', '/api/v1/messages/test', { channelId: id, phoneNumberId: SBX_PHONE, content: { type: 'text', body: 'hi' }, recipients: ['+8613800000777'] }));
    responses.push(await call('GET', '/api/v1/channels/whatsapp'));
    responses.push(await call('GET', '/openapi.json'));
    const audit = JSON.stringify(await c.audit.list({ limit: 500 }));

    const logs = lines.join('');
    expect(logs).toContain('WhatsApp channel paused');
    expect(logs).toContain('webhook refused');
    for (const secret of [TOKEN, SECRET, VERIFY, ROTATED]) {
      for (const r of responses) expect(r).not.toContain(secret);
      expect(logs).not.toContain(secret);
      expect(audit).not.toContain(secret);
    }
  });
});
