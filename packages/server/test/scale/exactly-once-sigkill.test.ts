import { afterAll, describe, expect, it } from 'vitest';
import { startBroadcastEnv, type BroadcastEnv } from './broadcast-env';
import { waitFor } from './e2e-env';
import { spawnWorker, type WorkerProcess } from './worker-process';

const RECIPIENTS = Number(process.env.WAREACH_SIGKILL_RECIPIENTS ?? 20_000);
const KILLS = 3;

let env: BroadcastEnv | undefined;
let worker: WorkerProcess | undefined;
afterAll(async () => {
  await worker?.kill('SIGKILL');
  await env?.close();
});

/**
 * SPEC section 5: "No recipient may be sent the same message twice in one run, and none may be lost,
 * whatever crashes." The worker runs as its own process on a SQLite file shared with this process (the
 * API: webhook receiver and drain); it is SIGKILLed three times at random points of a 20,000-recipient
 * run and started again each time. The sandbox's log is the judge: every recipient got the message
 * exactly once.
 */
describe('exactly once under SIGKILL', () => {
  it(`a ${RECIPIENTS}-recipient run survives ${KILLS} SIGKILLs of its worker: every recipient receives the message exactly once`, async () => {
    // The channel's throughput keeps the run long enough for status webhooks to keep flowing after the
    // last kill: that traffic is what lets the reconciler prove a claimed-but-unsent message was not sent.
    env = await startBroadcastEnv({
      dialect: 'sqlite', recipients: RECIPIENTS, reconcileWindowMs: 3_000, throughput: 300,
      // 100–150 ms per request keeps a few dozen sends in flight when the worker dies. Some `delivered` statuses come 30 s later, as from real phones: status traffic goes on after the last send.
      sandbox: { faults: { throughputPerSecond: 0, latency: { fixedMs: 100, jitterMs: 50 }, statusDelays: { sentMs: 20, deliveredMs: 30_000, readMs: 40_000 }, deliveredRatio: 0.3, readRatio: 0 }, webhookDelivery: { batchSize: 500 } },
    });
    const e = env;
    const taskId = await e.scheduleBroadcast('sigkill broadcast', 1_000);
    worker = await spawnWorker(e.workerEnv);

    const accepted = () => e.sandbox.summary().messages.accepted;
    // Random kill points, spread over the first half of the run.
    const points = Array.from({ length: KILLS }, (_, k) => Math.floor(RECIPIENTS * (0.1 + 0.15 * k + Math.random() * 0.12))).sort((a, b) => a - b);
    const killedAt: { accepted: number; sending: number }[] = [];
    for (const p of points) {
      await waitFor(`${p} accepted sends`, async () => (accepted() >= p ? true : undefined), 120_000, 20);
      await worker.kill('SIGKILL');
      // Deliveries the dead worker had claimed: sent or not, only the reconciler may settle them.
      killedAt.push({ accepted: accepted(), sending: (await e.states(taskId)).sending ?? 0 });
      worker = await spawnWorker(e.workerEnv);
    }

    const final = await waitFor('every delivery settled', async () => {
      const s = await e.states(taskId);
      return (s.queued ?? 0) + (s.sending ?? 0) === 0 && Object.values(s).reduce((a, b) => a + b, 0) === RECIPIENTS ? s : undefined;
    }, 150_000, 250);
    const summary = e.sandbox.summary();
    const detail = JSON.stringify({ killedAt, final, summary: { messages: summary.messages, recipients: summary.recipients, duplicates: summary.duplicates } });
    expect(killedAt.length, detail).toBe(KILLS);
    // The kills did land mid-flight: claimed deliveries were left behind, and every worker process took work.
    expect(killedAt.some((k) => k.sending > 0), detail).toBe(true);
    const resent = await e.server.c.db.selectFrom('deliveries').select((eb) => eb.fn.countAll<number>().as('n')).where('task_id', '=', taskId).where('attempts', '>', 1).executeTakeFirstOrThrow();
    process.stdout.write(`exactly-once under SIGKILL: ${JSON.stringify({ killedAt, claimedTwice: Number(resent.n) })}\n`);
    const workers = await e.server.c.db.selectFrom('deliveries').select(['sent_by', (eb) => eb.fn.countAll<number>().as('n')]).where('task_id', '=', taskId).groupBy('sent_by').execute();
    expect(workers.length, detail).toBeGreaterThanOrEqual(KILLS);
    expect(summary.recipients, detail).toBe(RECIPIENTS);
    expect(summary.messages.accepted, detail).toBe(RECIPIENTS);
    expect(summary.duplicates.callbackData, detail).toEqual({ recipients: 0, messages: 0 });
    expect(summary.duplicates.content, detail).toEqual({ recipients: 0, messages: 0 });
    // Accepted or later (some are delivered already); nothing failed, skipped or left in flight.
    expect(Object.keys(final).filter((k) => k !== 'accepted' && k !== 'delivered'), detail).toEqual([]);
    expect((final.accepted ?? 0) + (final.delivered ?? 0), detail).toBe(RECIPIENTS);
    await waitFor('task completed', async () => ((await e.server.request('GET', `/api/v1/tasks/${taskId}`)).body.state === 'completed' ? true : undefined), 20_000);
  }, 300_000);
});
