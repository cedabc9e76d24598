import Fastify from 'fastify';
const app = Fastify({ logger: false });
let n = 0;
app.post('/sandbox/graph/v23.0/106540352242922/messages', async (req, reply) => { n++; return reply.header('content-type','application/json').send('{"messaging_product":"whatsapp"}'); });
await app.listen({ port: 47124, host: '127.0.0.1' });
console.log('ready');
let last = process.cpuUsage(); let lastN = 0;
setInterval(() => { const u = process.cpuUsage(last); last = process.cpuUsage(); const d = n - lastN; lastN = n; if (d > 0) console.log(`hello +${d}: cpu ${((u.user + u.system) / d).toFixed(1)} us/req`); }, 5000).unref();
