import Fastify from 'fastify';
const recv = Fastify({ logger: false });
let items = 0;
recv.addContentTypeParser('application/json', { parseAs: 'string' }, (_r, b, d) => d(null, b));
recv.post('/hook', async (req) => { items += (String(req.body).match(/"status":/g) ?? []).length; return 'ok'; });
await recv.listen({ port: 47125, host: '127.0.0.1' });
setInterval(() => console.log('received', items), 5000).unref();
console.log('ready');
