import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createSandbox, defaultSandboxConfig, sandboxPlugin, type Sandbox } from '@wareach/sandbox';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type HTTPMethods } from 'fastify';
import type { App } from '../http/types';
import { systemActor } from '../services/ports';
import type { Container } from './container';

/** The name of the channel `npm start` keeps pointed at its in-process sandbox. */
export const SANDBOX_CHANNEL_NAME = 'WhatsApp Sandbox';
const GRAPH_VERSION = 'v23.0';
/** Throughput the sandbox enforces (Meta's default tier) and the channel declares, so the limiter is exercised. */
const SANDBOX_THROUGHPUT = 80;

export interface WhatsappRuntime {
  httpPlugins: ((app: App) => Promise<void>)[];
  stop(): Promise<void>;
}

const loopbackOrigin = (host: string, port: number) => {
  const h = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${h}:${port}`;
};

/**
 * Makes sure the default sandbox channel exists, with generated secrets, and returns it with its secrets.
 * Idempotent: a restart reuses the channel (and its secrets); only the base URL follows the port.
 */
export async function ensureSandboxChannel(c: Container, origin: string) {
  const baseUrl = `${origin}/sandbox/graph`;
  let channel = await c.channels.findSandbox();
  if (!channel) {
    const waba = defaultSandboxConfig().wabas[0]!;
    await c.channels.create(
      systemActor,
      {
        name: SANDBOX_CHANNEL_NAME,
        wabaId: waba.id,
        phoneNumbers: waba.phoneNumbers.map((p) => ({ phoneNumberId: p.id, displayNumber: p.displayPhoneNumber, throughput: SANDBOX_THROUGHPUT, tier: 'TIER_UNLIMITED' as const })),
        accessToken: `sbx-${randomBytes(24).toString('base64url')}`,
        appSecret: randomBytes(32).toString('hex'),
        verifyToken: randomBytes(18).toString('base64url'),
        baseUrl,
        apiVersion: GRAPH_VERSION,
      },
      { sandbox: true },
    );
    channel = (await c.channels.findSandbox())!;
  } else if (channel.base_url !== baseUrl) {
    await c.channels.update(systemActor, channel.id, { baseUrl });
  }
  const l = (await c.channels.withSecrets(channel.id))!;
  return { channelId: channel.id, secrets: l.secrets, phoneNumberIds: l.channel.phoneNumbers.map((p) => p.phone_number_id) };
}

/**
 * Mounts a sandbox into the main app: its Graph API under `/sandbox/graph/{version}/…` (public: it checks
 * the sandbox channel's own bearer token) and its phone inbox under `/api/v1/sandbox/…` (session or API key
 * with `sandbox.use`). The sandbox posts signed webhooks to this server's `/webhooks/whatsapp/{channelId}`.
 *
 * The sandbox's plugin runs on an inner Fastify instance and the main app hands it the raw request: the
 * plugin registers its own multipart parser and request decorators, which clash with the main app's, and
 * its error handlers answer in Meta's shape. The main app still authenticates the inbox routes first.
 */
export async function sandboxHttpPlugin(sandbox: Sandbox) {
  const inner = Fastify({ logger: false, bodyLimit: 110 * 1024 * 1024 });
  await inner.register(sandboxPlugin, { sandbox });
  await inner.ready();
  const plugin = async (app: App) => {
    await app.register(async (scope: FastifyInstance) => {
      // Leave the body unread: the inner instance parses it from the raw request.
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));
      const forward = async (req: FastifyRequest, reply: FastifyReply) => {
        reply.hijack();
        inner.routing(req.raw, reply.raw);
      };
      const methods: HTTPMethods[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
      scope.route({ method: methods, url: '/sandbox/*', config: { public: true }, schema: { hide: true }, handler: forward });
      scope.route({ method: methods, url: '/api/v1/sandbox/*', config: { permission: 'sandbox.use' }, schema: { hide: true }, handler: forward });
    });
  };
  return { plugin, close: () => inner.close() };
}

/**
 * What `startRuntime` runs for the WhatsApp channel area: the webhook drain in every mode, and, for
 * `npm start` with WAREACH_SANDBOX=true, the in-process sandbox as the default channel. One call, one stop.
 */
export async function startWhatsappRuntime(mode: 'start' | 'serve' | 'worker', c: Container): Promise<WhatsappRuntime> {
  const drain = c.whatsapp.createDrain();
  drain.start();
  const stops: (() => Promise<void>)[] = [() => drain.stop()];
  const httpPlugins: WhatsappRuntime['httpPlugins'] = [];

  if (c.config.sandbox && mode === 'start') {
    // Until the server listens we only know the configured port; onListen corrects it (e.g. --port).
    let origin = loopbackOrigin(c.config.host, c.config.port);
    const ch = await ensureSandboxChannel(c, origin);
    const sandbox = createSandbox({
      accessTokens: [ch.secrets.accessToken],
      appSecret: ch.secrets.appSecret,
      defaultWebhookUrl: `${origin}/webhooks/whatsapp/${ch.channelId}`,
      faults: { throughputPerSecond: SANDBOX_THROUGHPUT },
      logger: c.logger.child({ component: 'sandbox' }),
    });
    stops.push(() => sandbox.close());
    let syncTimer: NodeJS.Timeout | undefined;
    stops.push(async () => clearTimeout(syncTimer));

    const syncTemplates = (attempt: number) => {
      syncTimer = setTimeout(() => {
        c.templates.sync(systemActor, ch.channelId).then(
          (r) => c.logger.info({ channelId: ch.channelId, templates: r.templates }, 'sandbox templates synced'),
          (e: unknown) => {
            if (attempt < 10) syncTemplates(attempt + 1);
            else c.logger.warn({ err: e instanceof Error ? e.message : String(e) }, 'sandbox template sync failed');
          },
        );
      }, attempt === 0 ? 0 : 1000);
      syncTimer.unref();
    };

    const http = await sandboxHttpPlugin(sandbox);
    stops.push(() => http.close());
    httpPlugins.push(http.plugin);
    httpPlugins.push(async (app) => {
      app.addHook('onListen', async () => {
        const addr = app.server.address() as AddressInfo | null;
        if (addr && typeof addr === 'object') {
          const actual = loopbackOrigin(addr.address, addr.port);
          if (actual !== origin) {
            origin = actual;
            await ensureSandboxChannel(c, origin);
            sandbox.updateConfig({ defaultWebhookUrl: `${origin}/webhooks/whatsapp/${ch.channelId}` });
          }
        }
        syncTemplates(0);
      });
    });
  }

  return {
    httpPlugins,
    async stop() {
      for (const s of stops.reverse()) await s();
    },
  };
}
