import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_REDIS_URL } from '../helpers';
import { startBroadcastEnv, type BroadcastEnv } from './broadcast-env';
import { waitFor } from './e2e-env';
import { spawnWorker, type WorkerProcess } from './worker-process';

const RECIPIENTS = Number(process.env.WAREACH_SCALE_RECIPIENTS ?? 10_000);
const PREFIX = `wareach-scale-${randomBytes(4).toString('hex')}`;

let env: BroadcastEnv | undefined;
const workers: WorkerProcess[] = [];
afterAll(async () => {
  for (const w of workers) await w.kill('SIGKILL');
  await env?.close();
  const r = new Redis(TEST_REDIS_URL);
  const keys = await r.keys(`${PREFIX}:*`);
  if (keys.length) await r.del(...keys);
  await r.quit();
});

/**
 * Scale-out (issue 5, item 8): `wareach worker` processes sharing PostgreSQL and Redis (BullMQ). Two
 * workers split one run between them, nothing is sent twice, and when one is SIGKILLed mid-run the
 * other finishes its share: the jobs it held come back when their BullMQ locks lapse, and its claimed
 * deliveries are settled by the reconciler.
 */
describe('scale-out on PostgreSQL + Redis', () => {
  it(`two workers share a ${RECIPIENTS}-recipient run; one is killed mid-run and the other finishes it, every recipient once`, async () => {
    env = await startBroadcastEnv({
      dialect: 'postgres', recipients: RECIPIENTS, reconcileWindowMs: 3_000, throughput: 250, redis: { url: TEST_REDIS_URL, prefix: PREFIX },
      // Some `delivered` statuses come 30 s later, as from real phones: status traffic goes on after the last send.
      sandbox: { faults: { throughputPerSecond: 0, statusDelays: { sentMs: 20, deliveredMs: 30_000, readMs: 40_000 }, deliveredRatio: 0.3, readRatio: 0 }, webhookDelivery: { batchSize: 500 } },
    });
    const e = env;
    workers.push(...(await Promise.all([spawnWorker(e.workerEnv), spawnWorker(e.workerEnv)])));
    const taskId = await e.scheduleBroadcast('scale-out broadcast', 1_000);
    const accepted = () => e.sandbox.summary().messages.accepted;

    // Both workers take work before one of them dies.
    const perWorker = async () => new Map((await e.server.c.db.selectFrom('deliveries').select(['sent_by', (eb) => eb.fn.countAll<number>().as('n')])
      .where('task_id', '=', taskId).where('sent_by', 'is not', null).groupBy('sent_by').execute()).map((r) => [r.sent_by!, Number(r.n)]));
    const before = await waitFor('both workers sending', async () => {
      const m = await perWorker();
      return m.size === 2 && [...m.values()].every((n) => n >= 100) ? m : undefined;
    }, 120_000, 100);
    await waitFor('30% sent', async () => (accepted() >= RECIPIENTS * 0.3 ? true : undefined), 120_000, 20);
    const victim = workers[0]!;
    await victim.kill('SIGKILL');
    const sendingAtKill = (await e.states(taskId)).sending ?? 0;

    const final = await waitFor('every delivery settled', async () => {
      const s = await e.states(taskId);
      return (s.queued ?? 0) + (s.sending ?? 0) === 0 && Object.values(s).reduce((a, b) => a + b, 0) === RECIPIENTS ? s : undefined;
    }, 200_000, 250);
    const after = await perWorker();
    const summary = e.sandbox.summary();
    const detail = JSON.stringify({ before: [...before], after: [...after], sendingAtKill, final, summary: { messages: summary.messages, recipients: summary.recipients, duplicates: summary.duplicates } });
    expect(summary.recipients, detail).toBe(RECIPIENTS);
    expect(summary.messages.accepted, detail).toBe(RECIPIENTS);
    expect(summary.duplicates.callbackData, detail).toEqual({ recipients: 0, messages: 0 });
    expect(summary.duplicates.content, detail).toEqual({ recipients: 0, messages: 0 });
    // Accepted or later (some are delivered already); nothing failed, skipped or left in flight.
    expect(Object.keys(final).filter((k) => k !== 'accepted' && k !== 'delivered'), detail).toEqual([]);
    expect((final.accepted ?? 0) + (final.delivered ?? 0), detail).toBe(RECIPIENTS);
    // The survivor finished the run: it claimed more after the kill, and the victim claimed nothing more.
    const survivor = [...after.keys()].find((k) => k.endsWith(`:${workers[1]!.pid}`))!;
    const dead = [...after.keys()].find((k) => k.endsWith(`:${victim.pid}`))!;
    expect(after.get(survivor)!, detail).toBeGreaterThan(before.get(survivor) ?? 0);
    expect(after.get(survivor)! + after.get(dead)!, detail).toBe(RECIPIENTS);
  }, 300_000);
});
