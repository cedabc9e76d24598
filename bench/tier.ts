/* Messaging-tier reservations at the largest counted tier (100K unique users per rolling 24 hours).
   The window is filled with BENCH_TIER_CONTACTS contacts (default 100,000) spread over the last 24 hours;
   then BENCH_TIER_BATCHES dispatch batches (default 200) of 200 phones, half already counted and half
   new, reserve their slots. Printed per dialect: the reservation's time a batch, and as the baseline, in
   the same run on the same tables, the statement the reservation made every batch before it kept
   per-minute counts — a count of every contact in the window. */
import { loadavg } from 'node:os';
import { sql } from 'kysely';
import { createCapStore } from '../packages/server/src/adapters/storage/cap-store';
import { createBenchDatabase, installationEnv, openInstallation } from './engine-bench-support';

const CONTACTS = Number(process.env.BENCH_TIER_CONTACTS ?? 100_000);
const BATCHES = Number(process.env.BENCH_TIER_BATCHES ?? 200);
const BATCH = 200;
const DAY = 24 * 3_600_000;
const phone = (i: number) => `+86156${String(i).padStart(8, '0')}`;

async function measure(dialect: 'sqlite' | 'postgres') {
  const db = await createBenchDatabase(dialect);
  const c = await openInstallation(installationEnv(db));
  try {
    const caps = createCapStore(c.db, dialect);
    const limit = 10 * CONTACTS;
    const now = Date.now();
    // The window: CONTACTS phones, first written to at even steps over the last 24 hours.
    for (let i = 0; i < CONTACTS; i += 1_000) {
      const at = now - DAY + Math.floor((i / CONTACTS) * (DAY - 60_000));
      await caps.reserveTierMany('ch', Array.from({ length: Math.min(1_000, CONTACTS - i) }, (_, k) => phone(i + k)), limit, at);
    }
    if (dialect === 'postgres') await sql`analyze tier_contacts`.execute(c.db);
    const reserve: number[] = [];
    const count: number[] = [];
    for (let b = 0; b < BATCHES; b++) {
      const at = now + b * 100;
      const phones = Array.from({ length: BATCH }, (_, k) => (k % 2 ? phone((b * BATCH + k) % CONTACTS) : phone(CONTACTS + b * BATCH + k)));
      let t = performance.now();
      const got = await caps.reserveTierMany('ch', phones, limit, at);
      reserve.push(performance.now() - t);
      if ([...got.values()].some((v) => !v.ok)) throw new Error('a slot was refused below the limit');
      t = performance.now();
      await c.db.selectFrom('tier_contacts').select((eb) => eb.fn.countAll<number>().as('n')).where('channel_id', '=', 'ch').where('last_at', '>', at - DAY).executeTakeFirstOrThrow();
      count.push(performance.now() - t);
    }
    const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
    const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    process.stdout.write(
      `${dialect}: ${CONTACTS.toLocaleString('en')} contacts in the window, ${BATCHES} batches of ${BATCH}: reservation ${mean(reserve).toFixed(2)} ms a batch (p50 ${p50(reserve).toFixed(2)}); ` +
        `baseline, the count of every contact in the window the reservation made before: ${mean(count).toFixed(2)} ms a batch (p50 ${p50(count).toFixed(2)}); load ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`,
    );
  } finally {
    await c.close();
    await db.drop();
  }
}

export async function run(): Promise<void> {
  const dialects = (process.env.BENCH_DIALECTS ?? 'sqlite,postgres').split(',') as ('sqlite' | 'postgres')[];
  for (const d of dialects) await measure(d);
}
