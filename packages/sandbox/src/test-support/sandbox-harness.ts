/**
 * A sandbox on a loopback port with a webhook receiver wired to it and a manual clock, for tests that talk
 * HTTP like the real client does. `send` posts a message with the default token and number.
 */
import { request } from 'undici';
import { DEFAULT_ACCESS_TOKEN, DEFAULT_PHONE_NUMBER_ID, DEFAULT_WABA_ID } from '../config/sandbox-config';
import { startSandboxServer, type SandboxServer } from '../http/start-sandbox-server';
import { createSandbox, type Sandbox, type SandboxOptions } from '../sandbox';
import { createManualTime, type ManualTime } from '../shared/time';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver';

export const PHONE_ID = DEFAULT_PHONE_NUMBER_ID;
export const WABA_ID = DEFAULT_WABA_ID;
export const TOKEN = DEFAULT_ACCESS_TOKEN;

export interface HttpResult<T = Record<string, unknown>> {
  status: number;
  body: T;
}

export interface Harness {
  sandbox: Sandbox;
  server: SandboxServer;
  receiver: WebhookReceiver;
  time: ManualTime;
  graph(path: string, init?: { method?: 'GET' | 'POST' | 'DELETE'; body?: unknown; token?: string | null; version?: string }): Promise<HttpResult>;
  send(message: Record<string, unknown>, opts?: { token?: string | null; version?: string; phoneNumberId?: string }): Promise<HttpResult>;
  inbox(path: string, init?: { method?: 'GET' | 'POST' | 'PUT'; body?: unknown }): Promise<HttpResult>;
  /** Moves the manual clock and waits for the resulting webhook POSTs to land. */
  advance(ms: number): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(options: SandboxOptions = {}): Promise<Harness> {
  const receiver = await startWebhookReceiver({ verifyToken: 'verify-me' });
  const time = createManualTime();
  const sandbox = createSandbox({
    now: time.now,
    scheduler: time.scheduler,
    defaultWebhookUrl: receiver.url,
    webhookDelivery: { retryBaseMs: 1000, maxAttempts: 5 },
    ...options,
  });
  const server = await startSandboxServer({ port: 0, sandbox });

  const call = async (path: string, method: string, body: unknown, headers: Record<string, string>): Promise<HttpResult> => {
    const res = await request(`${server.url}${path}`, {
      method: method as 'GET',
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.body.text();
    let parsed: Record<string, unknown>;
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      parsed = { text };
    }
    return { status: res.statusCode, body: parsed };
  };
  const auth = (token: string | null | undefined): Record<string, string> => (token === null ? {} : { authorization: `Bearer ${token ?? TOKEN}` });

  return {
    sandbox,
    server,
    receiver,
    time,
    graph: (path, init = {}) => call(`/sandbox/graph/${init.version ?? 'v23.0'}${path}`, init.method ?? 'GET', init.body, auth(init.token)),
    send: (message, opts = {}) =>
      call(`/sandbox/graph/${opts.version ?? 'v23.0'}/${opts.phoneNumberId ?? PHONE_ID}/messages`, 'POST', { messaging_product: 'whatsapp', ...message }, auth(opts.token)),
    inbox: (path, init = {}) => call(`/api/v1/sandbox${path}`, init.method ?? 'GET', init.body, {}),
    async advance(ms) {
      time.advance(ms);
      await sandbox.flushWebhooks();
    },
    async close() {
      await server.close();
      await receiver.close();
    },
  };
}
