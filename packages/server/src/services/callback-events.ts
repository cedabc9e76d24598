import { callbackEventFor, type DeliveryChange, type EventIngest } from '@wareach/core';
import type { DeliveryRow } from '../adapters/storage/delivery-store';

/**
 * Callback events (SPEC section 7): each delivery change, reply and click becomes an event of the
 * recipient through the ordinary ingestion path, so rules, triggers and analysis see it like any other
 * event. Idempotent: core gives each event a deterministic ID, stored as the event's message ID.
 */
export function createCallbackEvents(deps: {
  writeEvents: (events: EventIngest[]) => Promise<unknown>;
  /** The task's trigger type (scheduled_once, recurring, triggered, triggered_not). */
  taskKindOf: (taskId: string) => Promise<string>;
}) {
  async function toEvents(row: DeliveryRow, change: Change): Promise<EventIngest[]> {
    // A CSV recipient without a profile is identified by its phone: ingestion gives it a profile.
    if (!row.profile_id && !row.phone) return [];
    const delivery = { oneId: row.profile_id ?? '', deliveryId: row.id, taskKind: await deps.taskKindOf(row.task_id), taskId: row.task_id, runId: row.run_id };
    return callbackEventFor({ ...change, delivery } as DeliveryChange).map((e) => ({
      userId: row.profile_id ?? undefined,
      identity: row.profile_id ? undefined : { type: 'whatsapp', value: row.phone! },
      name: e.name,
      at: e.at,
      properties: { ...e.properties },
      messageId: e.id,
    }));
  }

  return {
    async emit(row: DeliveryRow, change: Change): Promise<void> {
      const events = await toEvents(row, change);
      if (events.length) await deps.writeEvents(events);
    },
    /** Many changes as one ingestion batch (a dispatch batch's accepted sends). */
    async emitMany(items: { row: DeliveryRow; change: Change }[]): Promise<void> {
      const events: EventIngest[] = [];
      for (const i of items) events.push(...(await toEvents(i.row, i.change)));
      for (let k = 0; k < events.length; k += 1000) await deps.writeEvents(events.slice(k, k + 1000));
    },
  };
}
export type CallbackEvents = ReturnType<typeof createCallbackEvents>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type Change = DistributiveOmit<DeliveryChange, 'delivery'>;
