import { createSandbox, startSandboxServer, type Sandbox, type SandboxOptions, type SandboxServer } from '@wareach/sandbox';
import { startRuntime, type Runtime } from '../../src/cli/start';
import { systemClock } from '../../src/services/ports';
import { startTestServer, type Dialect, type TestServer } from '../helpers';

export const SBX_TOKEN = 'e2e-sandbox-token';
export const SBX_SECRET = 'e2e-sandbox-app-secret';
export const SBX_WABA = '102290129340398';
export const SBX_PHONE = '106540352242922';

/** Polls `f` until it returns a value that is not undefined; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, f: () => Promise<T | undefined>, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await f();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface E2eEnv {
  server: TestServer;
  sbx: SandboxServer;
  sandbox: Sandbox;
  runtime: Runtime;
  channelId: string;
  /** JSON from the sandbox's inbox API (no auth on a standalone sandbox). */
  inbox(method: string, path: string, body?: unknown): Promise<any>;
  close(): Promise<void>;
}

/**
 * The whole product over loopback, as `wareach worker` + `serve` would run it in one process: an API
 * server on a fresh database, the runtime of `startRuntime('worker')` (engine started, webhook drain),
 * a standalone sandbox posting signed webhooks back, and one channel pointing at it.
 */
export async function startE2eEnv(o: { dialect?: Dialect; sandbox?: SandboxOptions; env?: Record<string, string> } = {}): Promise<E2eEnv> {
  const sandbox = createSandbox({ accessTokens: [SBX_TOKEN], appSecret: SBX_SECRET, ...o.sandbox });
  const sbx = await startSandboxServer({ sandbox });
  const server = await startTestServer(o.dialect ?? 'sqlite', { ...(o.env ? { env: o.env } : {}), clock: systemClock });
  const runtime = await startRuntime('worker', server.c);
  const r = await server.request('POST', '/api/v1/channels/whatsapp', {
    name: 'Sandbox (e2e)',
    wabaId: SBX_WABA,
    phoneNumbers: [{ phoneNumberId: SBX_PHONE, displayNumber: '+1 555-078-3881', throughput: 500, tier: 'TIER_UNLIMITED' }],
    accessToken: SBX_TOKEN,
    appSecret: SBX_SECRET,
    verifyToken: 'e2e-verify',
    baseUrl: `${sbx.url}/sandbox/graph`,
  });
  if (r.status !== 201) throw new Error(`channel creation failed: ${r.status} ${JSON.stringify(r.body)}`);
  const channelId = (r.body as { id: string }).id;
  sandbox.updateConfig({ defaultWebhookUrl: `${server.url}/webhooks/whatsapp/${channelId}` });
  return {
    server,
    sbx,
    sandbox,
    runtime,
    channelId,
    async inbox(method, path, body) {
      const res = await fetch(`${sbx.url}/api/v1/sandbox${path}`, { method, ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) });
      const text = await res.text();
      if (res.status >= 300) throw new Error(`sandbox ${method} ${path}: ${res.status} ${text}`);
      return text ? JSON.parse(text) : undefined;
    },
    async close() {
      await sbx.close();
      await runtime.stop();
      await server.close();
    },
  };
}
