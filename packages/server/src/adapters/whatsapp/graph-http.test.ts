import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createGraphHttp } from './graph-http';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

describe('graph-http on its own pools', () => {
  it('a request that would wait for a connection past its leaveWithinMs is not sent, and says so', async () => {
    const held: ServerResponse[] = [];
    const seen: string[] = [];
    server = createServer((req, res) => {
      seen.push(req.url!);
      if (req.url!.endsWith('/first')) held.push(res);
      else res.end('{"ok":true}');
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const target = { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, version: 'v23.0', accessToken: 't' };
    const http = createGraphHttp({ connections: 1 });
    const first = http.request(target, { method: 'POST', path: '/first', json: {} });
    await new Promise<void>((resolve) => server!.once('request', () => resolve()));
    const late = http.request(target, { method: 'POST', path: '/late', json: {}, leaveWithinMs: -1 });
    const onTime = http.request(target, { method: 'POST', path: '/on-time', json: {}, leaveWithinMs: 60_000 });
    held[0]!.end('{"ok":true}');
    expect((await first).ok).toBe(true);
    const l = await late;
    expect(l.ok === false && l.error.notSent).toBe(true);
    expect(l.ok === false && l.error.classification.mayHaveSent).toBeFalsy();
    expect((await onTime).ok).toBe(true);
    expect(seen).toEqual(['/v23.0/first', '/v23.0/on-time']);
    await http.close();
  });
});
