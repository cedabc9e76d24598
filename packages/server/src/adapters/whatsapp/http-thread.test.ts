import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startHttpThread } from './http-thread';
import { transportFailure } from './graph-http';

let server: Server | undefined;
async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

describe('the HTTP thread', () => {
  it('carries a batch of requests and brings each its own answer', async () => {
    const origin = await listen((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => { body += c.toString(); });
      req.on('end', () => {
        res.writeHead(req.url === '/bad' ? 400 : 200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ path: req.url, auth: req.headers.authorization, body }));
      });
    });
    const t = startHttpThread({ connections: 4, timeoutMs: 5_000 });
    const answers = await Promise.all(['/a', '/b', '/bad'].map((path) =>
      t.request({ origin, method: 'POST', path, headers: { authorization: 'Bearer x', 'content-type': 'application/json' }, body: `{"p":"${path}"}` })));
    expect(answers.map((a) => ('status' in a ? a.status : 0))).toEqual([200, 200, 400]);
    expect(answers.map((a) => ('text' in a ? JSON.parse(a.text) : null))).toEqual([
      { path: '/a', auth: 'Bearer x', body: '{"p":"/a"}' },
      { path: '/b', auth: 'Bearer x', body: '{"p":"/b"}' },
      { path: '/bad', auth: 'Bearer x', body: '{"p":"/bad"}' },
    ]);
    await t.close();
  });

  it('a refused connection comes back as a transport error with undici’s code', async () => {
    const origin = await listen(() => undefined);
    server!.close();
    server!.closeAllConnections();
    server = undefined;
    const t = startHttpThread({ connections: 1, timeoutMs: 5_000 });
    const a = await t.request({ origin, method: 'POST', path: '/', headers: {}, body: '{}' });
    expect('error' in a && a.error.code).toBe('ECONNREFUSED');
    expect('error' in a && transportFailure(a.error).classification.retryable).toBe(true);
    await t.close();
  });

  it('a thread that dies answers its requests in flight as transport errors (outcome unknown) and says it is gone', async () => {
    const origin = await listen(() => undefined); // never answers
    const t = startHttpThread({ connections: 1, timeoutMs: 60_000 });
    const pending = t.request({ origin, method: 'POST', path: '/', headers: {}, body: '{}' });
    // Wait until the request has reached the server, then end the thread under it.
    await new Promise<void>((resolve) => server!.once('request', () => resolve()));
    await t.worker!.terminate();
    const a = await pending;
    expect('error' in a && transportFailure(a.error).classification.mayHaveSent).toBe(true);
    expect(t.alive).toBe(false);
    const after = await t.request({ origin, method: 'POST', path: '/', headers: {}, body: '{}' });
    expect('error' in after).toBe(true);
  });

  it('keeps its connections’ worth in flight; one that waited past its leave-by time is not sent at all', async () => {
    const held: ServerResponse[] = [];
    const seen: string[] = [];
    const origin = await listen((req, res) => {
      seen.push(req.url!);
      if (req.url === '/first') held.push(res);
      else res.end('{}');
    });
    const t = startHttpThread({ connections: 1, timeoutMs: 60_000 });
    const first = t.request({ origin, method: 'POST', path: '/first', headers: {}, body: '{}' });
    await new Promise<void>((resolve) => server!.once('request', () => resolve()));
    // The only connection is busy: these wait in the thread, the second past its leave-by time.
    const late = t.request({ origin, method: 'POST', path: '/late', headers: {}, body: '{}', leaveBy: Date.now() - 1 });
    const onTime = t.request({ origin, method: 'POST', path: '/on-time', headers: {}, body: '{}', leaveBy: Date.now() + 60_000 });
    held[0]!.end('{}');
    expect(await first).toMatchObject({ status: 200 });
    expect(await late).toEqual({ notSent: true });
    expect(await onTime).toMatchObject({ status: 200 });
    expect(seen).toEqual(['/first', '/on-time']);
    await t.close();
  });
});
