import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestServer, type TestServer } from '../helpers';

async function createCsvSegment(s: TestServer, name: string): Promise<string> {
  const r = await s.request('POST', '/api/v1/segments', { name, kind: 'csv', visibleInList: true });
  expect(r.status).toBe(201);
  return r.body.id as string;
}

const upload = (s: TestServer, id: string, text: string) => s.request('POST', `/api/v1/segments/${id}/csv`, undefined, { raw: text, headers: { 'content-type': 'text/csv' } });

describe.each(DIALECTS)('CSV upload on %s', (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer(dialect);
    const r = await s.request('POST', '/api/v1/users/batch', { users: [{ id: 'known-1', identities: { whatsapp: '+8613800000001' } }, { id: 'known-2' }] });
    expect(r.status).toBe(200);
  });
  afterAll(async () => s?.close());

  it('reads BOM, quotes and CRLF, merges duplicates, and reports every bad line with its number and reason', async () => {
    const id = await createCsvSegment(s, `mixed-${dialect}`);
    const text = [
      '\uFEFFphone,id', // 1: header after a UTF-8 BOM
      '+8613800000001,', // 2: a profile's number
      '"+86 138 0000 0002",', // 3: quoted, with spaces
      '008613800000003,known-2', // 4: 00 means +; linked to an existing profile
      '+8613800000001,', // 5: duplicate of line 2
      '"+86-138-0000-0002",""', // 6: duplicate of line 3 after normalising
      'not-a-number,', // 7
      'someone@example.com,', // 8: wrong ID type
      ',', // 9: empty phone
      '+8613800000004,x,extra', // 10: too many fields
      '+8613800000005,nobody', // 11: unknown one-ID
      '', // blank: skipped
      '"+8613800000006",', // 13
      '+1234,', // 14: too short
      '+8613800000007,"unterminated', // 15: quote never closed
    ].join('\r\n');
    const r = await upload(s, id, text);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ lines: 13, accepted: 4, duplicates: 2, refused: 7 });
    expect((r.body.errors as { line: number }[]).map((e) => e.line)).toEqual([7, 8, 9, 10, 11, 14, 15]);
    const byLine = new Map((r.body.errors as { line: number; message: string }[]).map((e) => [e.line, e.message]));
    expect(byLine.get(8)).toMatch(/email address, not a WhatsApp phone number/);
    expect(byLine.get(9)).toBe('phone is empty');
    expect(byLine.get(10)).toBe('has 3 fields; the header has 2');
    expect(byLine.get(11)).toMatch(/no profile has this one-ID/);
    expect(byLine.get(7)).toMatch(/^phone "not-a-number" /);
    expect([...byLine.values()].some((m) => /quoted field is never closed/.test(m))).toBe(true);

    const members = await s.request('GET', `/api/v1/segments/${id}/members?limit=10`);
    expect(members.body.total).toBe(4);
    expect(members.body.items.map((m: { phone: string; profileId: string | null }) => [m.phone, m.profileId])).toEqual([
      ['+8613800000001', 'known-1'],
      ['+8613800000002', null],
      ['+8613800000003', 'known-2'],
      ['+8613800000006', null],
    ]);
    const seg = await s.request('GET', `/api/v1/segments/${id}`);
    expect(seg.body).toMatchObject({ memberCount: 4, sendCount: 4 });
    const est = await s.request('POST', '/api/v1/segments/estimate', { segmentId: id });
    expect(est.body).toEqual({ oneIds: 2, sendIds: 4 });
  });

  it('counts lines across quoted newlines and after a malformed line', async () => {
    const id = await createCsvSegment(s, `lines-${dialect}`);
    const text = 'phone\n"+8613800000021\n"\n+8613800000022"bad\nnot-a-phone\n+8613800000023\n';
    const r = await upload(s, id, text);
    expect(r.body).toMatchObject({ lines: 4, accepted: 2, refused: 2 });
    expect(r.body.errors.map((e: { line: number }) => e.line)).toEqual([4, 5]);
    expect(r.body.errors[0].message).toMatch(/^not valid CSV: /);
  });

  it('reports the first 1,000 refused lines of the file, whichever check refused them, and counts them all', async () => {
    const id = await createCsvSegment(s, `first-errors-${dialect}`);
    // Bad numbers are refused when their batch is written, empty phones as soon as they are read: the
    // empty ones further down are refused first, yet the report keeps the first lines of the file.
    const text = ['phone,id', '+8613800000051,', ...Array.from({ length: 1500 }, (_, i) => `bad-${i},`), ...Array.from({ length: 1500 }, () => ',')].join('\n');
    const r = await upload(s, id, text);
    expect(r.status, JSON.stringify(r.body).slice(0, 300)).toBe(200);
    expect(r.body).toMatchObject({ lines: 3001, accepted: 1, refused: 3000 });
    const lines = (r.body.errors as { line: number }[]).map((e) => e.line);
    expect(lines).toEqual(Array.from({ length: 1000 }, (_, i) => i + 3));
    expect(r.body.errors[0].message).toMatch(/^phone "bad-0" /);
  });

  it('refuses a file whose columns hold another ID type, and keeps the members when no line is valid', async () => {
    const id = await createCsvSegment(s, `strict-${dialect}`);
    expect((await upload(s, id, 'phone\n+8613800000009\n')).body).toMatchObject({ accepted: 1 });
    const wrong = await upload(s, id, 'email\nsomeone@example.com\n');
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.details[0]).toMatchObject({ path: 'file.line.1' });
    expect(wrong.body.error.details[0].message).toMatch(/"email" holds another ID type/);
    const noPhone = await upload(s, id, 'name\nBob\n');
    expect(noPhone.body.error.details[0].message).toMatch(/there is no "phone" column/);
    const allBad = await upload(s, id, 'phone\nabc\n\n');
    expect(allBad.status).toBe(400);
    expect(allBad.body.error.details).toEqual([{ path: 'file.line.2', message: expect.stringMatching(/^phone "abc" /) }]);
    const empty = await upload(s, id, '');
    expect(empty.status).toBe(400);
    expect((await s.request('GET', `/api/v1/segments/${id}`)).body.memberCount).toBe(1);
  });

  it('accepts multipart uploads and replaces the previous members', async () => {
    const id = await createCsvSegment(s, `multipart-${dialect}`);
    await upload(s, id, 'phone\n+8613800000011\n+8613800000012\n');
    const form = new FormData();
    form.append('file', new Blob(['phone\n+8613800000013\n'], { type: 'text/csv' }), 'list.csv');
    const res = await fetch(`${s.url}/api/v1/segments/${id}/csv`, { method: 'POST', headers: { authorization: `Bearer ${await s.apiKey('admin')}` }, body: form });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ lines: 1, accepted: 1, duplicates: 0, refused: 0 });
    const members = await s.request('GET', `/api/v1/segments/${id}/members`);
    expect(members.body.items.map((m: { phone: string }) => m.phone)).toEqual(['+8613800000013']);
  });

  it('refuses uploads into rule segments and other content types', async () => {
    const rule = await s.request('POST', '/api/v1/segments', { name: `rule-${dialect}`, kind: 'rule', rule: { kind: 'and', children: [] } });
    expect((await upload(s, rule.body.id, 'phone\n+8613800000013\n')).status).toBe(409);
    const id = await createCsvSegment(s, `ct-${dialect}`);
    const r = await s.request('POST', `/api/v1/segments/${id}/csv`, { phone: '+8613800000013' });
    expect(r.status).toBe(400);
  });

  it('serves the template', async () => {
    const res = await fetch(`${s.url}/api/v1/segments/csv-template`, { headers: { authorization: `Bearer ${await s.apiKey('analyst')}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/csv/);
    expect(await res.text()).toBe('phone,id\n');
  });
});

describe.each(DIALECTS)('a CSV of a million lines on %s', (dialect) => {
  let s: TestServer;
  let dir: string;
  beforeAll(async () => {
    s = await startTestServer(dialect);
    dir = mkdtempSync(path.join(tmpdir(), 'wareach-csv-'));
  });
  afterAll(async () => {
    await s?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is streamed in full: every line counted, duplicates merged, bad lines reported', async () => {
    const file = path.join(dir, 'million.csv');
    const out = createWriteStream(file);
    out.write('phone\n');
    const N = 1_000_000;
    for (let i = 0; i < N; i++) {
      // Every 1000th line repeats the previous number; every 10,000th is not a number.
      const line = i % 10_000 === 9_999 ? 'bad-number' : `+86139${String(i % 1000 === 999 ? i - 1 : i).padStart(8, '0')}`;
      if (!out.write(line + '\n')) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    const id = await createCsvSegment(s, 'million');
    const res = await fetch(`${s.url}/api/v1/segments/${id}/csv`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await s.apiKey('admin')}`, 'content-type': 'text/csv' },
      body: createReadStream(file) as unknown as ReadableStream,
      duplex: 'half',
    } as RequestInit);
    const body = (await res.json()) as { lines: number; accepted: number; duplicates: number; refused: number; errors: { line: number }[] };
    expect(res.status).toBe(200);
    const bad = N / 10_000;
    const dups = N / 1000 - bad; // i = 999, 1999, …; those ending in 9999 are bad, not duplicates
    expect(body).toMatchObject({ lines: N, refused: bad, duplicates: dups, accepted: N - bad - dups });
    expect(body.errors[0]).toMatchObject({ line: 10_001 });
    expect((await s.request('GET', `/api/v1/segments/${id}`)).body.memberCount).toBe(N - bad - dups);
  }, 600_000);
});
