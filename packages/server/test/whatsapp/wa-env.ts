import { createSandbox, startSandboxServer, type Sandbox, type SandboxOptions, type SandboxServer } from '@wareach/sandbox';
import type { Dialect, TestServer } from '../helpers';
import { startTestServer } from '../helpers';
import type { WebhookInbound, WebhookSink, WebhookStatus } from '../../src/services/webhook-sinks';
import type { Clock } from '../../src/services/ports';

export const SBX_TOKEN = 'test-sandbox-token';
export const SBX_SECRET = 'test-sandbox-app-secret';
export const SBX_VERIFY = 'test-verify-token';
export const SBX_WABA = '102290129340398';
export const SBX_PHONE = '106540352242922';

/** A sink that records everything the drain hands on. */
export function recordingSink(): WebhookSink & { statuses: WebhookStatus[]; inbound: WebhookInbound[] } {
  const statuses: WebhookStatus[] = [];
  const inbound: WebhookInbound[] = [];
  return {
    statuses,
    inbound,
    async onStatuses(s) { statuses.push(...s); },
    async onInbound(m) { inbound.push(...m); },
  };
}

export interface WaEnv {
  sbx: SandboxServer;
  sandbox: Sandbox;
  server: TestServer;
  channelId: string;
  graphBase: string;
  sink: ReturnType<typeof recordingSink>;
  close(): Promise<void>;
}

/**
 * A wareach API server and a sandbox on two loopback ports, with one channel pointing at the sandbox and the
 * sandbox posting its signed webhooks back to that channel's webhook URL.
 */
export async function startWaEnv(o: { dialect?: Dialect; sandbox?: SandboxOptions; env?: Record<string, string>; clock?: Clock } = {}): Promise<WaEnv> {
  const sandbox = createSandbox({ accessTokens: [SBX_TOKEN], appSecret: SBX_SECRET, ...o.sandbox });
  const sbx = await startSandboxServer({ sandbox });
  const server = await startTestServer(o.dialect ?? 'sqlite', { ...(o.env ? { env: o.env } : {}), ...(o.clock ? { clock: o.clock } : {}) });
  const sink = recordingSink();
  server.c.webhookSinks.push(sink);
  const graphBase = `${sbx.url}/sandbox/graph`;
  const r = await server.request('POST', '/api/v1/channels/whatsapp', {
    name: 'Sandbox under test',
    wabaId: SBX_WABA,
    phoneNumbers: [{ phoneNumberId: SBX_PHONE, displayNumber: '+1 555-078-3881', throughput: 80, tier: 'TIER_UNLIMITED' }],
    accessToken: SBX_TOKEN,
    appSecret: SBX_SECRET,
    verifyToken: SBX_VERIFY,
    baseUrl: graphBase,
  });
  if (r.status !== 201) throw new Error(`channel creation failed: ${r.status} ${JSON.stringify(r.body)}`);
  const channelId = (r.body as { id: string }).id;
  sandbox.updateConfig({ defaultWebhookUrl: `${server.url}/webhooks/whatsapp/${channelId}` });
  return {
    sbx,
    sandbox,
    server,
    channelId,
    graphBase,
    sink,
    async close() {
      await sbx.close();
      await server.close();
    },
  };
}
