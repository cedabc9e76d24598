import Fastify from 'fastify';
const app = Fastify({ logger: false });
app.post('/sandbox/graph/v23.0/106540352242922/messages', async (req, reply) => reply.header('content-type','application/json').send('{"messaging_product":"whatsapp"}'));
await app.listen({ port: 47124, host: '127.0.0.1' });
console.log('ready');
