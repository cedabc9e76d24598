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
import { systemClock, type Clock, type IdSource } from '../services/ports';
import { createLogger, type Logger } from './logger';

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
  const profiles = createProfileStore(db, ids);
  const events = createEventStore(database, ids);
  const eventListeners: EventsListener[] = [];
  const customerData = createCustomerDataService({ profiles, events, audit, clock, listeners: eventListeners });
  const bulkImport = createBulkImport({ data: customerData, clock });
  const taskUsageCounters: ((kind: 'group' | 'activity', id: string) => Promise<number>)[] = [];
  const project = createProjectService({
    db, store: accessStore, audit, clock, ids,
    taskUsage: async (kind, id) => (await Promise.all(taskUsageCounters.map((f) => f(kind, id)))).reduce((a, b) => a + b, 0),
  });

  const closers: (() => Promise<void>)[] = [];
  return {
    config,
    clock,
    ids,
    logger,
    database,
    db,
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
