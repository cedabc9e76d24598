import { backoffDelay, type DeliveryStatus } from '@wareach/core';
import type { DeliveryRow, DeliveryStore } from '../adapters/storage/delivery-store';
import type { SendContext, SendOutcome } from '../adapters/whatsapp/cloud-api-client';
import type { CallbackEvents } from './callback-events';
import type { DeliveryUpdates } from './deliveries';
import { createClaimBatcher, createSemaphore } from './dispatcher-flow-control';
import type { ChannelGateway } from './dispatcher-ports';
import type { Clock } from './ports';

/** Sends of one delivery that WhatsApp refused with a retryable error, before it is failed. */
export const MAX_SEND_ATTEMPTS = 5;
/**
 * The longest a claimed delivery may wait for its request to leave; past it the claim is undone
 * unsent. The reconciler adds it to its window (scheduler.ts).
 */
export const SEND_DEADLINE_MS = 5_000;

/** A delivery that passed every check and is ready to be claimed and sent. */
export interface Ready {
  row: DeliveryRow;
  ctx: SendContext;
  body: Record<string, unknown>;
  channelId: string;
  pairKey: string;
  /** The channel's messaging tier when this send would take a slot of it (else null). */
  tierLimit: number | null;
}

export interface SendStepDeps {
  store: DeliveryStore;
  channels: ChannelGateway;
  updates: DeliveryUpdates;
  callbacks: CallbackEvents;
  clock: Clock;
  random: () => number;
  /** Requests in flight at once in this process (all jobs together). */
  concurrency?: number;
  workerId?: string;
  sleep?: (ms: number) => Promise<void>;
  onError?: (e: unknown, deliveryId: string) => void;
  /** The dispatcher's re-dispatch (a delayed job or a durable timer) and its failure write. */
  wakeAt: (ids: string[], dueAt: number, taskId: string | null) => Promise<void>;
  fail: (row: DeliveryRow, from: DeliveryStatus, f: { reason: string | null; code: number | null; title: string | null }) => Promise<void>;
}

/**
 * Step 9 of SPEC section 5 for the dispatcher: claim, send, and record what became of each send. The
 * process's send slots, staging places and claim batcher live here, shared by every batch in flight.
 * The exactly-once rule is the dispatcher's (dispatcher.ts, README "Exactly once").
 */
export function createSendStep(deps: SendStepDeps) {
  const { store, clock, random, wakeAt, fail } = deps;
  const concurrency = deps.concurrency ?? 32;
  /**
   * Requests handed to the channel: the channel keeps `concurrency` in flight (its connections) and the
   * others wait there in order for a connection, so that an answer starts the next request at once,
   * wherever this event loop is busy. Each is handed over with the time it has left to leave; past it
   * the channel does not send it.
   */
  const handed = createSemaphore(2 * concurrency);
  /**
   * Rows getting ready to send — the throughput wait and the claim — while others are handed over, at
   * most four times `concurrency`: a request never waits for a database or Redis round trip, and the
   * claims have room to gather into large writes.
   */
  const staging = createSemaphore(4 * concurrency);
  /** Rows claimed and not yet handed to the channel: the sends' reserve while claims are written. */
  let reserve = 0;
  // One for the process: the claims of every batch in flight go together, about a hundred a write
  // under load while the reserve lasts (createClaimBatcher).
  const claimer = createClaimBatcher((ids) => store.claimMany(ids, clock.now(), deps.workerId ?? null), {
    maxBatch: 500, minBatch: 2 * concurrency, lowWater: concurrency, reserve: () => reserve,
  });
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  /** What happens after a send that WhatsApp did not accept. */
  async function onFailure(r: Ready, outcome: Extract<SendOutcome, { kind: 'failed' }>) {
    const { row, channelId } = r;
    const after = clock.now();
    const c = outcome.classification;
    const error = { code: outcome.code, title: outcome.title };
    if (c.retryable) {
      if (c.mayHaveSent) return; // stays `sending`: the reconciler decides (see the rule above)
      const attempts = Number(row.attempts) + 1;
      if (attempts >= MAX_SEND_ATTEMPTS) return fail(row, 'sending', { reason: null, ...error });
      const wait = outcome.retryAfterMs ?? backoffDelay(attempts, c.backoff ?? { baseMs: 2_000, maxMs: 300_000 }, random);
      await store.release(row.id, after + wait, after, error);
      return wakeAt([row.id], after + wait, row.task_id);
    }
    if (c.kind === 'token') {
      // The message may go once the token is fixed: hold it, stop the channel.
      await deps.channels.pauseChannel(channelId, `WhatsApp refused the access token (${outcome.code ?? 'no code'}: ${outcome.title})`);
      await store.release(row.id, after + 5 * 60_000, after, error);
      return wakeAt([row.id], after + 5 * 60_000, row.task_id);
    }
    if (c.kind === 'blocked') await deps.channels.pauseChannel(channelId, `WhatsApp restricted the account (${outcome.code}: ${outcome.title})`);
    return fail(row, 'sending', { reason: null, ...error });
  }

  /**
   * Step 9 for the batch. Each row takes a staging place, waits for the phone number's throughput, is
   * claimed — claims of rows that get there together are one transaction — and is handed to the channel
   * with what is left of SEND_DEADLINE_MS since its claim: the request leaves within it or not at all
   * (`notSent`: nothing left this process, so the claim is undone). The reconciler counts on that.
   * Acceptance is written for the batch in one statement at the end.
   */
  async function sendAll(ready: Ready[]) {
    const accepted: { r: Ready; wamid: string; at: number }[] = [];
    const undo = async (r: Ready) => {
      // Nothing left this process: the claim provably sent nothing, so it may be undone.
      await store.release(r.row.id, clock.now(), clock.now());
      await wakeAt([r.row.id], clock.now(), r.row.task_id);
    };
    await Promise.all(ready.map(async (r) => {
      let outcome: SendOutcome | undefined;
      await staging.acquire();
      let staged = true;
      try {
        const wait = await deps.channels.throughputWait(r.ctx);
        if (wait > 0) await sleep(wait);
        const claimedAt = clock.now();
        if (!(await claimer.claim(r.row.id))) return;
        reserve++;
        try {
          await handed.acquire();
        } finally {
          reserve--;
          claimer.poke();
        }
        staging.release();
        staged = false;
        try {
          const left = SEND_DEADLINE_MS - (clock.now() - claimedAt);
          if (left <= 0) return await undo(r);
          outcome = await deps.channels.send(r.ctx, r.body, left);
        } finally {
          handed.release();
        }
      } finally {
        if (staged) staging.release();
      }
      if (outcome.kind === 'failed' && outcome.notSent) return await undo(r);
      if (outcome.kind === 'accepted') accepted.push({ r, wamid: outcome.wamid, at: clock.now() });
      else {
        try {
          await onFailure(r, outcome);
        } catch (e) {
          deps.onError?.(e, r.row.id);
        }
      }
    }));
    if (!accepted.length) return;
    const at = clock.now();
    const moved = await store.acceptMany(accepted.map((a) => ({ id: a.r.row.id, wamid: a.wamid, at: a.at })), at);
    const rows: DeliveryRow[] = [];
    for (const a of accepted) {
      if (moved.has(a.r.row.id)) {
        rows.push({ ...a.r.row, state: 'accepted', wamid: a.wamid, accepted_at: a.at } as DeliveryRow);
      } else {
        // A status webhook got there first (it carried our ID): it already moved the delivery on.
        const current = await store.get(a.r.row.id);
        if (current && current.wamid === null) await store.applyStatus(current, 'accepted', at, null, a.wamid, at);
      }
    }
    await deps.callbacks.emitMany(rows.map((row) => ({ row, change: { kind: 'status' as const, from: 'sending' as const, to: 'accepted' as const, at: Number(row.accepted_at) } })));
    await deps.updates.applyPendingMany(rows);
  }

  return sendAll;
}
