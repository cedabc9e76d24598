import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestServer, type Dialect, type TestServer } from '../helpers';
import { ManualClock } from '../../src/services/ports';
import type { WebhookSink } from '../../src/services/webhook-sinks';
import type { WebhookDrain } from '../../src/services/webhooks-drain';
import { change, envelope, sign, statusItem } from './webhook-payloads';

/**
 * The inbox's two throughput mechanisms and what they must keep: group commit (a POST is answered only
 * once its own row is committed, a refused row fails alone, a failed write answers 5xx and stores
 * nothing) and the hand-over of received payloads to the drain of the same process.
 */
const SECRET = 'inbox-test-app-secret';
const PHONE = '106540352242922';
const T0 = Date.parse('2026-11-25T00:00:00Z');

const payload = (wamid: string) => JSON.stringify(envelope([{ changes: [change(PHONE, { statuses: [statusItem(wamid, 'sent', T0)] })] }]));

/** Makes the database refuse inserts into the inbox: every one, or those whose body contains `poison`. */
async function refuseInserts(server: TestServer, dialect: Dialect, only: 'all' | 'poison'): Promise<() => Promise<void>> {
  const db = server.c.db;
  if (dialect === 'sqlite') {
    const when = only === 'poison' ? "WHEN NEW.body LIKE '%poison%'" : '';
    await sql.raw(`CREATE TRIGGER refuse_inbox BEFORE INSERT ON webhook_inbox ${when} BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`).execute(db);
  } else {
    const cond = only === 'poison' ? "NEW.body LIKE '%poison%'" : 'true';
    await sql.raw(`CREATE FUNCTION refuse_inbox() RETURNS trigger AS $$ BEGIN IF ${cond} THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`).execute(db);
    await sql.raw('CREATE TRIGGER refuse_inbox BEFORE INSERT ON webhook_inbox FOR EACH ROW EXECUTE FUNCTION refuse_inbox()').execute(db);
  }
  return async () => {
    await sql.raw(dialect === 'sqlite' ? 'DROP TRIGGER refuse_inbox' : 'DROP TRIGGER refuse_inbox ON webhook_inbox').execute(db);
    if (dialect === 'postgres') await sql.raw('DROP FUNCTION refuse_inbox()').execute(db);
  };
}

/** A sink that holds the drain on its first call until `open()`, and records every wamid it is handed. */
function gateSink() {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  let entered!: () => void;
  const called = new Promise<void>((r) => (entered = r));
  const seen: string[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const sink: WebhookSink = {
    async onStatuses(s) {
      entered();
      await gate;
      seen.push(...s.map((x) => x.wamid));
      for (const w of waiters) if (seen.length >= w.n) w.resolve();
    },
    async onInbound() {},
  };
  const until = (n: number) => new Promise<void>((resolve) => (seen.length >= n ? resolve() : waiters.push({ n, resolve })));
  return { sink, called, open, seen, until };
}

describe.each(DIALECTS)('webhook inbox on %s', (dialect) => {
  let server: TestServer;
  let channelId: string;
  const clock = new ManualClock(T0);

  beforeAll(async () => {
    server = await startTestServer(dialect, { clock });
    const r = await server.request('POST', '/api/v1/channels/whatsapp', {
      name: 'inbox', wabaId: '102290129340398', phoneNumbers: [{ phoneNumberId: PHONE, displayNumber: '+1 555-078-3881' }],
      accessToken: 'tok', appSecret: SECRET, verifyToken: 'verify', baseUrl: 'http://127.0.0.1:9/graph',
    });
    channelId = r.body.id;
  });
  afterAll(async () => {
    await server?.close();
  });

  const post = (raw: string) =>
    fetch(`${server.url}/webhooks/whatsapp/${channelId}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(raw, SECRET) }, body: raw });
  const rowsOf = (wamids: string[]) =>
    server.c.db.selectFrom('webhook_inbox').select(['id', 'body', 'state', 'claimed_by', 'attempts']).where('body', 'in', wamids.map(payload)).orderBy('id').execute();
  const stateOf = async (wamid: string) => (await rowsOf([wamid]))[0];

  it('the cached app secret is dropped when the channel is edited: the next POST is checked against the new one', async () => {
    const raw = payload('wamid.secret');
    expect((await post(raw)).status).toBe(200); // the secret is cached now
    expect((await server.request('PATCH', `/api/v1/channels/whatsapp/${channelId}`, { appSecret: 'the-rotated-app-secret' })).status).toBe(200);
    const headers = (secret: string) => ({ 'content-type': 'application/json', 'x-hub-signature-256': sign(raw, secret) });
    const url = `${server.url}/webhooks/whatsapp/${channelId}`;
    expect((await fetch(url, { method: 'POST', headers: headers(SECRET), body: raw })).status).toBe(401);
    expect((await fetch(url, { method: 'POST', headers: headers('the-rotated-app-secret'), body: raw })).status).toBe(200);
    expect((await server.request('PATCH', `/api/v1/channels/whatsapp/${channelId}`, { appSecret: SECRET })).status).toBe(200);
    expect((await post(raw)).status).toBe(200);
  });

  describe('group commit', () => {
    let undo: (() => Promise<void>) | undefined;
    afterEach(async () => {
      await undo?.();
      undo = undefined;
    });

    it('inserts queued in one turn are written together, each resolving with its own id, in order, once stored', async () => {
      const store = server.c.whatsapp.webhookStore;
      const wamids = ['wamid.g1', 'wamid.g2', 'wamid.g3', 'wamid.g4'];
      const ids = await Promise.all(wamids.map((w) => store.insert(channelId, payload(w), T0)));
      expect([...ids].sort((a, b) => a - b)).toEqual(ids);
      expect(new Set(ids).size).toBe(4);
      const rows = await rowsOf(wamids);
      expect(rows.map((r) => Number(r.id))).toEqual(ids);
      expect(rows.map((r) => r.state)).toEqual(['pending', 'pending', 'pending', 'pending']);
    });

    it('a row the database refuses fails alone; the others of its group are stored', async () => {
      undo = await refuseInserts(server, dialect, 'poison');
      const store = server.c.whatsapp.webhookStore;
      const results = await Promise.allSettled(['wamid.ok1', 'wamid.poison1', 'wamid.ok2'].map((w) => store.insert(channelId, payload(w), T0)));
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect((await rowsOf(['wamid.ok1', 'wamid.poison1', 'wamid.ok2'])).map((r) => r.body)).toEqual([payload('wamid.ok1'), payload('wamid.ok2')]);
    });

    it('when the write fails, every POST of the group gets 5xx and nothing is stored; none is answered 200 before its row exists', async () => {
      undo = await refuseInserts(server, dialect, 'all');
      const failing = Array.from({ length: 20 }, (_, i) => `wamid.down${i}`);
      const statuses = await Promise.all(failing.map(async (w) => (await post(payload(w))).status));
      expect(statuses.every((s) => s >= 500)).toBe(true);
      expect(await rowsOf(failing)).toEqual([]);
      await undo();
      undo = undefined;

      // Concurrent POSTs, two of which the database refuses: on each answer, its row exists exactly when the answer is 200.
      undo = await refuseInserts(server, dialect, 'poison');
      const mixed = Array.from({ length: 30 }, (_, i) => (i % 13 === 5 ? `wamid.poison-c${i}` : `wamid.c${i}`));
      const checks = await Promise.all(
        mixed.map(async (w) => {
          const status = (await post(payload(w))).status;
          return { w, status, stored: (await rowsOf([w])).length };
        }),
      );
      for (const c of checks) {
        if (c.w.includes('poison')) expect(c).toMatchObject({ status: 500, stored: 0 });
        else expect(c).toMatchObject({ status: 200, stored: 1 });
      }
    });
  });

  describe('hand-over to the drain of the receiving process', () => {
    let drain: WebhookDrain | undefined;
    let gate: ReturnType<typeof gateSink>;
    const claimedRows: number[] = [];
    let restoreClaim: () => void;

    beforeAll(async () => {
      await server.c.whatsapp.createDrain({ claimant: 'earlier-tests' }).drainAll();
      // Records which rows reach the drain through a claim (UPDATE) rather than in memory.
      const store = server.c.whatsapp.webhookStore;
      const claim = store.claim;
      store.claim = async (...args) => {
        const rows = await claim(...args);
        claimedRows.push(...rows.map((r) => r.id));
        return rows;
      };
      restoreClaim = () => (store.claim = claim);
    });
    afterAll(() => restoreClaim());

    const startDrain = (opts: Parameters<typeof server.c.whatsapp.createDrain>[0]) => {
      gate = gateSink();
      server.c.webhookSinks.push(gate.sink);
      drain = server.c.whatsapp.createDrain({ gatherMs: 0, ...opts });
      drain.start();
      return drain;
    };
    afterEach(async () => {
      gate.open();
      await drain?.stop();
      drain = undefined;
      server.c.webhookSinks.splice(server.c.webhookSinks.indexOf(gate.sink), 1);
      claimedRows.length = 0;
    });

    it('a payload received while the drain runs is stored claimed by it and processed without a claim', async () => {
      startDrain({ claimant: 'local-a' });
      gate.open();
      const wamids = ['wamid.h1', 'wamid.h2', 'wamid.h3'];
      for (const w of wamids) expect((await post(payload(w))).status).toBe(200);
      await gate.until(3);
      expect(gate.seen).toEqual(wamids);
      await drain!.stop();
      const rows = await rowsOf(wamids);
      expect(rows.map((r) => [r.state, r.claimed_by, Number(r.attempts)])).toEqual(wamids.map(() => ['done', 'local-a', 1]));
      expect(claimedRows.filter((id) => rows.some((r) => Number(r.id) === id))).toEqual([]);
    });

    it('past maxLocal payloads are stored pending, claimed, and processed with the others in order of arrival', async () => {
      startDrain({ claimant: 'local-b', maxLocal: 2 });
      expect((await post(payload('wamid.m1'))).status).toBe(200);
      await gate.called; // the drain holds m1 in the sink
      for (const w of ['wamid.m2', 'wamid.m3', 'wamid.m4', 'wamid.m5']) expect((await post(payload(w))).status).toBe(200);
      const held = await rowsOf(['wamid.m2', 'wamid.m3', 'wamid.m4', 'wamid.m5']);
      expect(held.map((r) => [r.state, r.claimed_by])).toEqual([['processing', 'local-b'], ['processing', 'local-b'], ['pending', null], ['pending', null]]);
      gate.open();
      await gate.until(5);
      expect(gate.seen).toEqual(['wamid.m1', 'wamid.m2', 'wamid.m3', 'wamid.m4', 'wamid.m5']);
      await drain!.stop();
      expect((await rowsOf(['wamid.m1', 'wamid.m2', 'wamid.m3', 'wamid.m4', 'wamid.m5'])).every((r) => r.state === 'done')).toBe(true);
      expect(claimedRows).toEqual(held.slice(2).map((r) => Number(r.id)));
    });

    it('stop gives back the rows handed over but not processed; another drain takes them at once', async () => {
      startDrain({ claimant: 'local-c' });
      expect((await post(payload('wamid.s1'))).status).toBe(200);
      await gate.called;
      for (const w of ['wamid.s2', 'wamid.s3', 'wamid.s4']) expect((await post(payload(w))).status).toBe(200);
      const stopping = drain!.stop();
      gate.open();
      await stopping;
      expect((await stateOf('wamid.s1'))?.state).toBe('done');
      const given = await rowsOf(['wamid.s2', 'wamid.s3', 'wamid.s4']);
      expect(given.map((r) => [r.state, r.claimed_by, Number(r.attempts)])).toEqual([['pending', null, 0], ['pending', null, 0], ['pending', null, 0]]);
      expect(gate.seen).toEqual(['wamid.s1']);
      expect(await server.c.whatsapp.createDrain({ claimant: 'other' }).drainAll()).toBe(3);
      expect(gate.seen).toEqual(['wamid.s1', 'wamid.s2', 'wamid.s3', 'wamid.s4']);
    });

    it('a handed-over row left past the lease is taken over by a claim and processed once', async () => {
      startDrain({ claimant: 'local-d', leaseMs: 1_000 });
      expect((await post(payload('wamid.l1'))).status).toBe(200);
      await gate.called;
      for (const w of ['wamid.l2', 'wamid.l3']) expect((await post(payload(w))).status).toBe(200);
      clock.advance(1_001);
      gate.open();
      await gate.until(3);
      await drain!.stop();
      expect(gate.seen).toEqual(['wamid.l1', 'wamid.l2', 'wamid.l3']);
      const rows = await rowsOf(['wamid.l2', 'wamid.l3']);
      expect(rows.map((r) => [r.state, Number(r.attempts)])).toEqual([['done', 2], ['done', 2]]);
      expect(claimedRows).toEqual(rows.map((r) => Number(r.id)));
    });
  });
});
