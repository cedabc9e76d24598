import { PAIR_INTERVAL_MS, type PairGate } from './dispatcher-flow-control';
import type { CapStore } from '../adapters/storage/cap-store';
import type { DeliveryRow, DeliveryStore } from '../adapters/storage/delivery-store';
import type { RunStore } from '../adapters/storage/run-store';

/** What step 8 needs of a delivery ready to send. */
interface Limited {
  row: DeliveryRow;
  pairKey: string;
  channelId: string;
  /** The channel's messaging tier when this send would take a slot of it (else null). */
  tierLimit: number | null;
}

/** Step 8 of SPEC section 5 for a dispatch batch: Meta's pair rate, then the messaging tier. */
export function createPairAndTierStep(deps: {
  pairGate: PairGate;
  store: DeliveryStore;
  caps: CapStore;
  runs: RunStore;
  wakeMany: (items: { id: string; dueAt: number; taskId: string }[]) => Promise<void>;
}) {
  const { pairGate, store, caps, runs, wakeMany } = deps;
  /**
   * Step 8 for the batch. Meta's pair rate: a recipient who got a message from the number within the
   * interval (from any worker, or earlier in this batch) waits until it frees. Then the messaging tier:
   * slots reserved per channel in one atomic step. A broadcast larger than the tier is paced, not
   * failed — the rows without a slot wait until the oldest slot frees and are counted on their run
   * (`runs.paced`).
   */
  return async function reservePairsAndTiers<R extends Limited>(all: R[], now: number): Promise<R[]> {
    const refused = await pairGate.tryAcquire([...new Set(all.map((r) => r.pairKey))], now);
    // A key listed twice in one batch is granted once: the later rows wait for the interval.
    const granted = new Set<string>();
    const ready: R[] = [];
    const pairWakes: { id: string; dueAt: number; taskId: string }[] = [];
    for (const r of all) {
      const freeAt = refused.get(r.pairKey) ?? (granted.has(r.pairKey) ? now + PAIR_INTERVAL_MS : undefined);
      if (freeAt === undefined) {
        granted.add(r.pairKey);
        ready.push(r);
      } else if (await store.postpone(r.row.id, freeAt, now)) pairWakes.push({ id: r.row.id, dueAt: freeAt, taskId: r.row.task_id });
    }
    await wakeMany(pairWakes);
    const byChannel = new Map<string, R[]>();
    for (const r of ready) {
      if (r.tierLimit === null) continue;
      const list = byChannel.get(r.channelId);
      if (list) list.push(r);
      else byChannel.set(r.channelId, [r]);
    }
    if (!byChannel.size) return ready;
    const waiting = new Set<R>();
    for (const [channelId, list] of byChannel) {
      const slots = await caps.reserveTierMany(channelId, list.map((r) => r.row.phone!), list[0]!.tierLimit!, now);
      const pacedPerRun = new Map<string, number>();
      const wakes: { id: string; dueAt: number; taskId: string }[] = [];
      for (const r of list) {
        const slot = slots.get(r.row.phone!);
        if (!slot || slot.ok) continue;
        waiting.add(r);
        pacedPerRun.set(r.row.run_id, (pacedPerRun.get(r.row.run_id) ?? 0) + 1);
        if (await store.postpone(r.row.id, slot.freeAt, now)) wakes.push({ id: r.row.id, dueAt: slot.freeAt, taskId: r.row.task_id });
      }
      await wakeMany(wakes);
      for (const [runId, n] of pacedPerRun) await runs.addPaced(runId, n);
    }
    return ready.filter((r) => !waiting.has(r));
  };
}
