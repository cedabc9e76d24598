import type { DeliveryStore, NewDelivery } from '../adapters/storage/delivery-store';
import { deliveryIdFor } from '../adapters/storage/delivery-store';
import type { RunStore } from '../adapters/storage/run-store';
import type { TriggerStore } from '../adapters/storage/trigger-store';
import type { Queue } from '../adapters/queue/queue-port';
import { DISPATCH_BATCH, dispatchJob } from './dispatcher-jobs';
import type { AudienceSource, EngineTaskSource } from './dispatcher-ports';
import type { Clock } from './ports';

export const FANOUT_BATCH = 5_000;

/**
 * A run's fan-out (the fan-out job's handler): iterate the audience snapshot in batches plus the
 * supplementary IDs, insert one delivery per recipient (INSERT … ON CONFLICT DO NOTHING on the
 * (task, run, recipient) key), and enqueue dispatch jobs carrying batches of delivery IDs. Running it
 * twice (a retried job, a crash halfway) inserts nothing twice; dispatch jobs for rows already past
 * `queued` do nothing.
 */
export function createFanout(deps: { tasks: EngineTaskSource; audience: AudienceSource; store: DeliveryStore; runs: RunStore; triggers: TriggerStore; queue: Queue; clock: Clock }) {
  async function insertAndEnqueue(taskId: string, runId: string, rows: NewDelivery[]) {
    const inserted = await deps.store.insertMany(rows, deps.clock.now());
    await deps.runs.addAudience(runId, inserted);
    const ids = rows.map((r) => deliveryIdFor(taskId, runId, r.recipient));
    const items = [];
    for (let i = 0; i < ids.length; i += DISPATCH_BATCH) items.push({ payload: { ids: ids.slice(i, i + DISPATCH_BATCH) } });
    await deps.queue.enqueue(dispatchJob, items);
  }

  return async function fanout(runId: string, taskId: string): Promise<void> {
    const run = await deps.runs.get(runId);
    if (!run || (run.state !== 'pending' && run.state !== 'running')) return;
    const task = await deps.tasks.getTask(taskId);
    const now = deps.clock.now();
    if (!task || (task.state !== 'running' && task.state !== 'paused')) {
      await deps.runs.transition(runId, ['pending'], 'cancelled', now, 'task_not_running');
      return;
    }
    const priority = task.definition.delivery.taskType;
    const dueAt = Number(run.occurrence_at);
    const seen = new Set<string>();
    for await (const batch of deps.audience.iterate(task, FANOUT_BATCH)) {
      const rows: NewDelivery[] = [];
      for (const m of batch) {
        const recipient = m.profileId ?? m.phone;
        if (!recipient || seen.has(recipient)) continue;
        seen.add(recipient);
        rows.push({ taskId, runId, recipient, profileId: m.profileId, phone: m.phone, priority, dueAt });
      }
      if (rows.length) await insertAndEnqueue(taskId, runId, rows);
    }
    // Supplementary IDs (testers): added to every run; a number that belongs to a profile is that profile.
    const phones = task.definition.audience.supplementaryIds;
    if (phones.length) {
      const owners = await deps.triggers.whatsappProfiles(phones);
      const rows: NewDelivery[] = [];
      for (const phone of phones) {
        const profileId = owners.get(phone) ?? null;
        const recipient = profileId ?? phone;
        if (seen.has(recipient)) continue;
        seen.add(recipient);
        rows.push({ taskId, runId, recipient, profileId, phone, priority, dueAt });
      }
      if (rows.length) await insertAndEnqueue(taskId, runId, rows);
    }
    await deps.runs.transition(runId, ['pending'], 'running', deps.clock.now());
  };
}
