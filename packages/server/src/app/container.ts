import { Registry, collectDefaultMetrics } from 'prom-client';
import type { Config } from '../config/config';
import { uuidIds } from '../adapters/ids';
import { createAccessStore } from '../adapters/storage/access-store';
import { openDatabase, type DatabaseHandle } from '../adapters/storage/database';
import { createEventStore } from '../adapters/storage/event-store';
import { createProfileStore } from '../adapters/storage/profile-store';
import { createAuditLog } from '../services/audit';
import { createAuthService } from '../services/auth';
import { createBulkImport } from '../services/bulk-import';
import { createCustomerDataService, type EventsListener } from '../services/customer-data';
import { createProjectService } from '../services/project';
import { createAnalyticsStore } from '../adapters/storage/analytics-store';
import { createRunStore } from '../adapters/storage/run-store';
import { createAnalytics } from '../services/analytics';
import { systemClock, type Clock, type IdSource } from '../services/ports';
import { createCsvStore } from '../adapters/storage/csv-store';
import { createSegmentStore } from '../adapters/storage/segment-store';
import { createTaskStore } from '../adapters/storage/task-store';
import { createAudienceService } from '../services/audience';
import { createCsvAudienceService } from '../services/csv-audience';
import { createPhoneNormaliserPool } from '../services/phone-normaliser-pool';
import { createSegmentService } from '../services/segments';
import { createTaskChecks, type TemplateLookup } from '../services/tasks-checks';
import { createTaskService } from '../services/tasks';
import { createLogger, type Logger } from './logger';
import { createInProcessRateLimiter } from '../adapters/whatsapp/rate-limiter';
import { createRedisRateLimiter } from '../adapters/whatsapp/redis-rate-limiter';
import { createRedisPairGate } from '../adapters/whatsapp/redis-pair-gate';
import { createWhatsappModule } from '../services/channels-module';
import type { WebhookSink } from '../services/webhook-sinks';

/**
 * The one place that chooses adapters from config and wires services (DESIGN: "factories build, mains
 * start"). Nothing here starts listening or schedules work; the CLI's commands do that.
 */
export function createContainer(config: Config, overrides: { clock?: Clock; ids?: IdSource; logger?: Logger; database?: DatabaseHandle } = {}) {
  const clock = overrides.clock ?? systemClock;
  const ids = overrides.ids ?? uuidIds;
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const database = overrides.database ?? openDatabase(config.database);
  const db = database.db;
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });

  const accessStore = createAccessStore(db);
  const audit = createAuditLog(accessStore, clock);
  const auth = createAuthService({ store: accessStore, audit, clock, ids });
  const profiles = createProfileStore(database, ids);
  const events = createEventStore(database, ids);
  const eventListeners: EventsListener[] = [];
  const customerData = createCustomerDataService({ profiles, events, audit, clock, listeners: eventListeners });
  const bulkImport = createBulkImport({ data: customerData, clock });
  const taskUsageCounters: ((kind: 'group' | 'activity', id: string) => Promise<number>)[] = [];
  const project = createProjectService({
    db, store: accessStore, audit, clock, ids,
    taskUsage: async (kind, id) => (await Promise.all(taskUsageCounters.map((f) => f(kind, id)))).reduce((a, b) => a + b, 0),
  });

  const analytics = createAnalytics({ store: createAnalyticsStore(db), runs: createRunStore(db), clock });
  /** Task IDs in a group or activity, for their stats: the task service pushes its resolver here. */
  const taskIdsByLabel: ((kind: 'group' | 'activity', id: string) => Promise<string[]>)[] = [];

  // Audiences, segments and tasks. `templateLookup` is set once the template service is wired, so
  // submitting a task checks that its template is APPROVED.
  const segmentStore = createSegmentStore(database);
  const taskStore = createTaskStore(database);
  let templateLookup: TemplateLookup | undefined;
  const audience = createAudienceService({ handle: database, segments: segmentStore, clock, ids });
  const segments = createSegmentService({ store: segmentStore, tasks: taskStore, audience, access: accessStore, audit, project, clock, ids });
  const phonePool = createPhoneNormaliserPool();
  const csvAudience = createCsvAudienceService({ csv: createCsvStore(database), segments: segmentStore, audit, clock, ids, normalise: phonePool.normalise });
  const taskChecks = createTaskChecks({ segments, segmentStore, tasks: taskStore, access: accessStore, project, templates: () => templateLookup });
  /** Told after every task change (submit, approve, pause, resume, cancel, edit, …): the engine invalidates its trigger index. */
  const taskChangeListeners: ((taskId: string) => void)[] = [];
  const tasks = createTaskService({ store: taskStore, checks: taskChecks, segments, segmentStore, project, audit, clock, ids, onChanged: (id) => taskChangeListeners.forEach((f) => f(id)) });
  taskUsageCounters.push(tasks.countUsage);
  taskIdsByLabel.push(taskStore.idsByLabel);
  // WhatsApp channel area. Every sink sees every status and inbound message of the webhook drain. The rate
  // limiter counts real time (a test's manual clock must not freeze it); Redis makes workers share it.
  const webhookSinks: WebhookSink[] = [];
  const rateLimiter = config.redisUrl ? createRedisRateLimiter(config.redisUrl) : createInProcessRateLimiter(systemClock);
  /** Meta's pair rate, shared by workers through Redis; without Redis the engine keeps it in-process. */
  const pairGate = config.redisUrl ? createRedisPairGate(config.redisUrl) : undefined;
  const whatsapp = createWhatsappModule({ database, secretKey: config.secretKey, dataDir: config.dataDir, limiter: rateLimiter, audit, clock, ids, logger, customerData, profiles, webhookSinks });
  const closers: (() => Promise<void>)[] = [];
  closers.push(() => phonePool.close());
  closers.push(() => whatsapp.close());
  if (pairGate?.close) closers.push(pairGate.close);
  templateLookup = whatsapp.templates;
  return {
    config,
    clock,
    ids,
    logger,
    database,
    db,
    pairGate,
    metrics,
    audit,
    auth,
    accessStore,
    profiles,
    events,
    customerData,
    bulkImport,
    project,
    eventListeners,
    taskUsageCounters,
    taskChangeListeners,
    webhookSinks,
    rateLimiter,
    whatsapp,
    whatsappClient: whatsapp.client,
    channels: whatsapp.channels,
    templates: whatsapp.templates,
    media: whatsapp.media,
    serviceWindows: whatsapp.serviceWindows,
    analytics,
    taskIdsByLabel,
    segmentStore,
    taskStore,
    audience,
    segments,
    csvAudience,
    tasks,
    /** Wires the template service's lookup into task submission (only APPROVED templates are sendable). */
    setTemplateLookup(lookup: TemplateLookup) {
      templateLookup = lookup;
    },
    /** Adapters that hold connections register here; close() runs them in reverse order. */
    onClose(f: () => Promise<void>) {
      closers.push(f);
    },
    async close() {
      for (const f of closers.reverse()) await f();
      await database.close();
    },
  };
}
export type Container = ReturnType<typeof createContainer>;
