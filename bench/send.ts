/* The WhatsApp client against the sandbox (faults off), in two parts.
   1. Throughput: the client's sendMessage against a plain undici Pool loop posting the same payloads to the
      same sandbox, alternately, in the same run; prints both rates and their ratio (target ≥ 0.8).
   2. The per-number rate limiter at 80 and at 1,000 msgs/s for BENCH_SEND_SECONDS (default 30) each, against
      a sandbox enforcing that same throughput: achieved rate (target within 2 %) and 130429 answers (target 0),
      for the in-process limiter and, when Redis answers, the Redis one.
   The sandbox runs in a child process so that it does not share an event loop with the client. */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TOKEN = 'bench-token';
const PHONE = '106540352242922';
const MESSAGES = Number(process.env.BENCH_SEND_MESSAGES ?? 20_000);
const CONCURRENCY = Number(process.env.BENCH_SEND_CONCURRENCY ?? 64);
const SECONDS = Number(process.env.BENCH_SEND_SECONDS ?? 30);
const ROUNDS = Number(process.env.BENCH_SEND_ROUNDS ?? 5);
const REDIS_URL = process.env.WAREACH_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function startSandboxChild(): Promise<{ url: string; child: ChildProcess }> {
  // The child exits when its stdin closes, i.e. when this process goes, however it goes.
  const code = `
    process.stdin.on('end', () => process.exit(0)).resume();
    const { startSandboxServer } = await import(${JSON.stringify(path.join(ROOT, 'packages/sandbox/src/index.ts'))});
    const s = await startSandboxServer({ options: {
      accessTokens: [${JSON.stringify(TOKEN)}], appSecret: 'bench',
      faults: { throughputPerSecond: 0, enforceWindow: false },
      log: { recentPerConversation: 1, maxStoredMessages: 1000 },
    } });
    process.stdout.write(JSON.stringify({ url: s.url }) + '\\n');`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  const rl = createInterface({ input: child.stdout! });
  const line = await new Promise<string>((resolve, reject) => {
    rl.once('line', resolve);
    child.once('exit', (c) => reject(new Error(`sandbox exited with ${c}`)));
  });
  return { url: (JSON.parse(line) as { url: string }).url, child };
}

const payload = (i: number) => ({
  messaging_product: 'whatsapp',
  recipient_type: 'individual',
  to: `+86139${String(i % 1_000_000).padStart(8, '0')}`,
  type: 'text',
  text: { body: `Hello number ${i}, your order has shipped.` },
  biz_opaque_callback_data: `delivery-${i}`,
});

/** Runs `n` jobs with `concurrency` in flight; resolves to jobs/s. */
async function loop(n: number, concurrency: number, job: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let i = next++; i < n; i = next++) await job(i);
  }));
  return n / ((performance.now() - t0) / 1000);
}

async function throughput(url: string) {
  const { createCloudApiClient } = await import('../packages/server/src/adapters/whatsapp/cloud-api-client');
  const client = createCloudApiClient({ connections: CONCURRENCY });
  const ctx = { baseUrl: `${url}/sandbox/graph`, version: 'v23.0', accessToken: TOKEN, phoneNumberId: PHONE };
  const pool = new Pool(url, { connections: CONCURRENCY, pipelining: 1, keepAliveTimeout: 30_000 });
  const bodies = Array.from({ length: MESSAGES }, (_, i) => payload(i));
  let failures = 0;
  const viaClient = (i: number) => client.sendMessage(ctx, bodies[i]!).then((o) => { if (o.kind !== 'accepted') failures++; });
  const viaPool = async (i: number) => {
    const res = await pool.request({
      method: 'POST', path: `/sandbox/graph/v23.0/${PHONE}/messages`,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(bodies[i]),
    });
    const json = JSON.parse(await res.body.text()) as { messages?: { id: string }[] };
    if (res.statusCode !== 200 || !json.messages?.[0]?.id) failures++;
  };
  await loop(2_000, CONCURRENCY, viaPool);
  await loop(2_000, CONCURRENCY, viaClient);
  const plain: number[] = [];
  const ours: number[] = [];
  // Alternate which goes first, so neither always runs on a warmer (or more fragmented) process.
  for (let round = 0; round < ROUNDS; round++) {
    if (round % 2) ours.push(await loop(MESSAGES, CONCURRENCY, viaClient));
    plain.push(await loop(MESSAGES, CONCURRENCY, viaPool));
    if (!(round % 2)) ours.push(await loop(MESSAGES, CONCURRENCY, viaClient));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  process.stdout.write(
    `throughput: ${MESSAGES} text messages × ${ROUNDS} rounds each, ${CONCURRENCY} in flight\n` +
      `  plain undici Pool loop: ${plain.map((x) => x.toFixed(0)).join(' / ')} msgs/s (median ${median(plain).toFixed(0)})\n` +
      `  wareach client:         ${ours.map((x) => x.toFixed(0)).join(' / ')} msgs/s (median ${median(ours).toFixed(0)})\n` +
      `  ratio client/plain (medians): ${(median(ours) / median(plain)).toFixed(2)} (target ≥ 0.8); failures: ${failures}\n`,
  );
  await client.close();
  await pool.close();
}

async function limiterRun(url: string, rate: number, kind: 'in-process' | 'redis') {
  const { createCloudApiClient } = await import('../packages/server/src/adapters/whatsapp/cloud-api-client');
  const { createInProcessRateLimiter } = await import('../packages/server/src/adapters/whatsapp/rate-limiter');
  const { createRedisRateLimiter } = await import('../packages/server/src/adapters/whatsapp/redis-rate-limiter');
  const { systemClock } = await import('../packages/server/src/services/ports');
  const prefix = `wareach-bench:${randomBytes(4).toString('hex')}:`;
  const limiter = kind === 'redis' ? createRedisRateLimiter(REDIS_URL, { prefix }) : createInProcessRateLimiter(systemClock);
  // One attempt only: a 130429 must show up here, not be retried away.
  const client = createCloudApiClient({ connections: CONCURRENCY, limiter, retry: { maxAttempts: 1 } });
  await fetch(`${url}/api/v1/sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ throughputPerSecond: rate }) });
  await new Promise((r) => setTimeout(r, 1100)); // let the sandbox bucket refill after the previous run
  const ctx = { baseUrl: `${url}/sandbox/graph`, version: 'v23.0', accessToken: TOKEN, phoneNumberId: PHONE, throughput: rate };
  const t0 = performance.now();
  const end = t0 + SECONDS * 1000;
  let accepted = 0;
  let throttled = 0;
  let other = 0;
  let last = t0;
  let i = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (performance.now() < end) {
      const o = await client.sendMessage(ctx, payload(i++));
      if (o.kind === 'accepted') { accepted++; last = performance.now(); }
      else if (o.code === 130429) throttled++;
      else other++;
    }
  }));
  const achieved = accepted / ((last - t0) / 1000);
  const dev = ((achieved - rate) / rate) * 100;
  process.stdout.write(
    `rate limiter (${kind}) at ${rate} msgs/s for ${SECONDS} s: ${accepted} accepted, achieved ${achieved.toFixed(2)} msgs/s ` +
      `(${dev >= 0 ? '+' : ''}${dev.toFixed(2)} %, target within 2 %), 130429: ${throttled} (target 0), other failures: ${other}\n`,
  );
  await client.close();
  // The client does not own the limiter: without this the Redis connection keeps the bench from exiting.
  await limiter.close();
}

async function redisReachable(): Promise<boolean> {
  const { Redis } = await import('ioredis');
  const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await r.connect();
    await r.ping();
    return true;
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

export async function run(): Promise<void> {
  const { url, child } = await startSandboxChild();
  try {
    await throughput(url);
    const kinds: ('in-process' | 'redis')[] = ['in-process'];
    if (await redisReachable()) kinds.push('redis');
    else process.stdout.write(`(Redis not reachable at ${REDIS_URL}: the Redis limiter is not measured)\n`);
    for (const kind of kinds) for (const rate of [80, 1000]) await limiterRun(url, rate, kind);
  } finally {
    child.kill();
  }
}
