import { createSandbox, createManualTime } from './index';
const time = createManualTime();
const sandbox = createSandbox({ now: time.now, scheduler: time.scheduler, log: { maxStoredMessages: Number(process.argv[3] ?? 50000) } });
const N = Number(process.argv[2] ?? 1_000_000);
const t0 = performance.now();
for (let i = 0; i < N; i++) {
  const body = JSON.parse(JSON.stringify({ messaging_product: 'whatsapp', to: '+4915' + (100000000 + i), type: 'template', biz_opaque_callback_data: 'd-' + i, template: { name: 'spring_promo', language: { code: 'en' }, components: [ { type: 'header', parameters: [{ type: 'image', image: { link: 'https://cdn.example.com/spring.png' } }] }, { type: 'body', parameters: [{ type: 'text', text: 'Maria' }, { type: 'text', text: '25%' }, { type: 'text', text: 'March 31' }] }, { type: 'button', sub_type: 'url', index: 2, parameters: [{ type: 'text', text: 'x' + i }] } ] } }));
  const r = await sandbox.sendMessage({ phoneNumberId: '106540352242922', graphVersion: 23, token: 'sandbox-access-token', body });
  if (r.status !== 200) throw new Error(JSON.stringify(r.body));
  if (i % 10000 === 9999) time.advance(10_000);
}
time.advance(60_000);
const t1 = performance.now();
global.gc?.();
const m = process.memoryUsage();
console.log(`${N} sends in ${((t1 - t0) / 1000).toFixed(1)}s (${Math.round(N / ((t1 - t0) / 1000))}/s in-process); heapUsed=${Math.round(m.heapUsed / 1e6)}MB rss=${Math.round(m.rss / 1e6)}MB`);
console.log(JSON.stringify(sandbox.summary()));
