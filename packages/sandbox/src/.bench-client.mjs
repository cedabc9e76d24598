import { Pool } from 'undici';
const url = process.argv[2]; const total = Number(process.argv[3] ?? 50000); const conc = Number(process.argv[4] ?? 64);
const pool = new Pool(url, { connections: conc, pipelining: 1 });
let sent = 0, ok = 0, bad = 0;
const t0 = performance.now();
async function worker() {
  while (sent < total) {
    const i = sent++;
    const body = JSON.stringify({ messaging_product: 'whatsapp', to: '+4915' + (100000000 + i), type: 'template', biz_opaque_callback_data: 'd-' + i, template: { name: 'spring_promo', language: { code: 'en' }, components: [ { type: 'header', parameters: [{ type: 'image', image: { link: 'https://cdn.example.com/spring.png' } }] }, { type: 'body', parameters: [{ type: 'text', text: 'Maria' }, { type: 'text', text: '25%' }, { type: 'text', text: 'March 31' }] }, { type: 'button', sub_type: 'url', index: 2, parameters: [{ type: 'text', text: 'x' + i }] } ] } });
    const res = await pool.request({ method: 'POST', path: '/sandbox/graph/v23.0/106540352242922/messages', headers: { authorization: 'Bearer sandbox-access-token', 'content-type': 'application/json' }, body });
    await res.body.text();
    if (res.statusCode === 200) ok++; else bad++;
  }
}
await Promise.all(Array.from({ length: conc }, worker));
const s = (performance.now() - t0) / 1000;
console.log(`${total} in ${s.toFixed(2)}s = ${Math.round(total / s)} msg/s ok=${ok} bad=${bad}`);
await pool.close();
