import { spawnParseWorker } from './packages/server/src/services/import-parser';
const rss = () => Math.round(process.memoryUsage().rss / 1048576);
const maxrss = () => Math.round(process.resourceUsage().maxRSS / 1024);
await import('./packages/server/src/app/container');
console.log('loaded', rss());
const w = spawnParseWorker();
await new Promise<void>((r) => w.on('message', (m) => m === 'ready' && r()));
console.log('worker ready', rss());
const kind = process.argv[2] as 'events' | 'profiles';
const line = (i: number) => kind === 'events'
  ? JSON.stringify({ userId: `u${i}`, name: 'purchase', time: new Date(1790000000000 + i).toISOString(), properties: { amount: i % 500, sku: `S${i % 20}` }, messageId: `m${i}` })
  : JSON.stringify({ id: `u${i}`, identities: { whatsapp: `+86138${String(i).padStart(8, '0')}` }, timezone: 'Asia/Shanghai', attributes: { city: 'Beijing', age: 18 + (i % 50) }, tags: { level: i % 5 } });
let answered = 0;
w.on('message', () => answered++);
for (let p = 0; p < 2000; p++) {
  const lines: string[] = [];
  for (let i = 0; i < 400; i++) lines.push(line(p * 400 + i));
  const bytes = new Uint8Array(Buffer.from(lines.join('\n') + '\n'));
  w.postMessage({ kind, bytes, now: Date.now() }, [bytes.buffer]);
  if (p % 50 === 49) while (answered < p - 10) await new Promise((r) => setTimeout(r, 1));
}
while (answered < 2000) await new Promise((r) => setTimeout(r, 5));
console.log('after 800k', kind, 'rss', rss(), 'max', maxrss());
process.exit(0);
