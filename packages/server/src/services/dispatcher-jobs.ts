import { z } from 'zod';
import { defineJob } from '../adapters/queue/queue-port';

/**
 * The engine's jobs. A dispatch job carries a batch of delivery IDs, never one message per job: a
 * million-recipient run is two thousand jobs, not a million.
 */
export const dispatchJob = defineJob({
  name: 'engine.dispatch',
  version: 1,
  schema: z.object({ ids: z.array(z.string().min(1)).min(1).max(5_000) }),
  retry: { attempts: 8, backoff: { baseMs: 1_000, maxMs: 120_000 } },
});

export const fanoutJob = defineJob({
  name: 'engine.fanout',
  version: 1,
  schema: z.object({ runId: z.string().min(1), taskId: z.string().min(1) }),
  retry: { attempts: 10, backoff: { baseMs: 2_000, maxMs: 300_000 } },
});

/** Deliveries per dispatch job. */
export const DISPATCH_BATCH = 200;
