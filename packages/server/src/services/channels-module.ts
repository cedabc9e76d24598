import type { Logger } from 'pino';
import { createSecretBox } from '../adapters/crypto';
import { createChannelStore } from '../adapters/storage/channel-store';
import { createMediaStore } from '../adapters/storage/media-store';
import type { ProfileStore } from '../adapters/storage/profile-store';
import type { DatabaseHandle } from '../adapters/storage/database';
import { createTemplateStore } from '../adapters/storage/template-store';
import { createTestSendStore } from '../adapters/storage/test-send-store';
import { createWebhookStore } from '../adapters/storage/webhook-store';
import { createCloudApiClient } from '../adapters/whatsapp/cloud-api-client';
import type { RateLimiter } from '../adapters/whatsapp/rate-limiter';
import type { AuditLog } from './audit';
import { createChannelService } from './channels';
import type { CustomerDataService } from './customer-data';
import { createMediaService } from './media';
import type { Clock, IdSource } from './ports';
import { createTemplateService } from './templates';
import { createTestSendService } from './test-send';
import type { WebhookSink } from './webhook-sinks';
import { createWebhookService } from './webhooks';
import { createWebhookDrain, type DrainOptions } from './webhooks-drain';

/**
 * Wires the WhatsApp channel area (channels, client, media, templates, webhooks, test sends) from the
 * adapters the container chose. Kept out of container.ts so that file stays a list of lines.
 */
export function createWhatsappModule(deps: {
  database: DatabaseHandle;
  secretKey: Buffer;
  dataDir: string;
  limiter: RateLimiter;
  audit: AuditLog;
  clock: Clock;
  ids: IdSource;
  logger: Logger;
  customerData: CustomerDataService;
  profiles: ProfileStore;
  webhookSinks: WebhookSink[];
}) {
  const { audit, clock, ids, logger } = deps;
  const db = deps.database.db;
  const client = createCloudApiClient({ limiter: deps.limiter });
  const channels = createChannelService({ store: createChannelStore(db), box: createSecretBox(deps.secretKey), audit, clock, ids, client, logger });
  const templates = createTemplateService({ store: createTemplateStore(db), channels, client, audit, clock, ids });
  const media = createMediaService({ store: createMediaStore(db), channels, client, audit, clock, ids, dataDir: deps.dataDir });
  const webhookStore = createWebhookStore(deps.database);
  const webhooks = createWebhookService({ channels, store: webhookStore, clock, logger });
  const testSends = createTestSendService({ store: createTestSendStore(db), channels, templates, media, profiles: deps.profiles, client, audit, clock, ids });
  deps.webhookSinks.push(testSends.sink);

  return {
    client,
    channels,
    templates,
    media,
    webhooks,
    testSends,
    webhookStore,
    /** The 24-hour service window (SPEC §5 step 4): when each phone last wrote to us. */
    serviceWindows: {
      async lastInboundAt(phone: string): Promise<number | undefined> {
        return (await webhookStore.lastInboundAt([phone])).get(phone);
      },
      lastInboundAtMany: (phones: string[]) => webhookStore.lastInboundAt(phones),
    },
    createDrain: (opts?: DrainOptions) =>
      createWebhookDrain({ store: webhookStore, sinks: deps.webhookSinks, customerData: deps.customerData, profiles: deps.profiles, templates, webhooks, clock, logger }, opts),
    async close(): Promise<void> {
      await client.close();
      await deps.limiter.close();
    },
  };
}
export type WhatsappModule = ReturnType<typeof createWhatsappModule>;
