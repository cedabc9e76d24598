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
  return {
    async emit(row: DeliveryRow, change: DistributiveOmit<DeliveryChange, 'delivery'>): Promise<void> {
      // A CSV recipient without a profile is identified by its phone: ingestion gives it a profile.
      if (!row.profile_id && !row.phone) return;
      const delivery = { oneId: row.profile_id ?? '', deliveryId: row.id, taskKind: await deps.taskKindOf(row.task_id), taskId: row.task_id, runId: row.run_id };
      const events = callbackEventFor({ ...change, delivery } as DeliveryChange);
      if (!events.length) return;
      await deps.writeEvents(
        events.map((e) => ({
          userId: row.profile_id ?? undefined,
          identity: row.profile_id ? undefined : { type: 'whatsapp', value: row.phone! },
          name: e.name,
          at: e.at,
          properties: { ...e.properties },
          messageId: e.id,
        })),
      );
    },
  };
}
export type CallbackEvents = ReturnType<typeof createCallbackEvents>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
