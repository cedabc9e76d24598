import { spawn } from 'node:child_process';
import { Pool } from 'undici';
const child = spawn('npx', ['tsx', '/work/main/packages/server/test/scale/.exp/sbx.mts'], { cwd: '/work/main', stdio: ['ignore', 'pipe', 'inherit'] });
const url: string = await new Promise((res) => child.stdout.once('data', (d) => res(JSON.parse(String(d)).url)));
const pool = new Pool(url, { connections: 64 });
const N = Number(process.env.N ?? 50000);
let next = 0;
const t0 = performance.now();
async function w() {
  while (next < N) {
    const i = next++;
    const body = JSON.stringify({ messaging_product: 'whatsapp', recipient_type: 'individual', to: `+86138${String(i).padStart(8, '0')}`, type: 'template', template: { name: 'welcome_offer', language: { code: 'en' } }, biz_opaque_callback_data: `d_${i}` });
    const r = await pool.request({ method: 'POST', path: '/sandbox/graph/v23.0/106540352242922/messages', headers: { authorization: 'Bearer tok', 'content-type': 'application/json' }, body });
    const t = await r.body.text();
    if (r.statusCode !== 200 && i < 3) console.error(t);
  }
}
await Promise.all(Array.from({ length: 64 }, w));
const s = (performance.now() - t0) / 1000;
console.log(`${N} in ${s.toFixed(1)}s = ${(N / s).toFixed(0)}/s`);
child.kill();
await pool.close();
