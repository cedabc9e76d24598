import { afterAll, describe, expect, it } from 'vitest';
import { SBX_PHONE, startE2eEnv, waitFor, type E2eEnv } from './e2e-env';

const PEOPLE = [
  { id: 'e2e-1', phone: '+8613811110001', city: 'Shanghai' },
  { id: 'e2e-2', phone: '+8613811110002', city: 'Shanghai' },
  { id: 'e2e-3', phone: '+8613811110003', city: 'Shanghai' },
  { id: 'e2e-4', phone: '+8613811110004', city: 'Beijing' },
];
const SHANGHAI = PEOPLE.filter((p) => p.city === 'Shanghai');

let env: E2eEnv | undefined;
afterAll(async () => env?.close());

describe('end to end over HTTP with the sandbox', () => {
  it('channel → rule segment → scheduled task with reply buttons → approval → one send per recipient → delivered/read → a tap counts as a click', async () => {
    env = await startE2eEnv({ sandbox: { faults: { statusDelays: { sentMs: 20, deliveredMs: 60, readMs: 120 }, readRatio: 1 } } });
    const { server } = env;
    const api = server.request.bind(server);

    // Customers, each of whom writes to the business first (opens the 24-hour window for interactive content).
    const users = await api('POST', '/api/v1/users/batch', { users: PEOPLE.map((p) => ({ id: p.id, identities: { whatsapp: p.phone }, attributes: { city: p.city } })) });
    expect(users.status, JSON.stringify(users.body)).toBe(200);
    for (const p of PEOPLE) await env.inbox('POST', `/conversations/${SBX_PHONE}/${p.phone.slice(1)}/actions`, { type: 'text', body: 'hello' });
    await waitFor('service windows', async () => ((await server.c.serviceWindows.lastInboundAtMany(PEOPLE.map((p) => p.phone))).size === PEOPLE.length ? true : undefined));

    // A rule segment: the Shanghai customers.
    const seg = await api('POST', '/api/v1/segments', {
      name: 'Shanghai', kind: 'rule', visibleInList: true,
      rule: { kind: 'and', children: [{ kind: 'attribute', name: 'city', valueType: 'string', op: 'eq', value: 'Shanghai' }] },
    }, { role: 'operator' });
    expect(seg.status, JSON.stringify(seg.body)).toBe(201);
    expect((await api('POST', `/api/v1/segments/${seg.body.id}/refresh`, undefined, { role: 'operator' })).status).toBeLessThan(300);

    // A scheduled-once task with reply buttons, a few seconds ahead.
    const sendAt = new Date(Date.now() + 5_000).toISOString();
    const task = await api('POST', '/api/v1/tasks', {
      basic: { name: 'E2E reply buttons' },
      audience: { mode: 'segment', segmentId: seg.body.id },
      trigger: { type: 'scheduled_once', sendAt, approvalTimeout: 'run_after_approval' },
      delivery: {
        channelId: env.channelId, phoneNumberId: SBX_PHONE, taskType: 'normal', globalLimit: false,
        content: { type: 'buttons', body: 'Coming to the spring sale?', buttons: [{ id: 'yes', title: 'Yes' }, { id: 'no', title: 'No' }] },
      },
    }, { role: 'operator' });
    expect(task.status, JSON.stringify(task.body)).toBe(201);
    const taskId = task.body.id as string;
    const submitted = await api('POST', `/api/v1/tasks/${taskId}/submit`, {}, { role: 'operator' });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
    // Another member approves (nobody approves their own task by default).
    const approved = await api('POST', `/api/v1/tasks/${taskId}/approve`, { comment: 'go' }, { role: 'approver' });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);

    // The run sends once to each Shanghai customer, and to nobody else.
    const deliveries = async () => (await api('GET', `/api/v1/tasks/${taskId}/deliveries?limit=100`)).body as { total: number; items: { phone: string; state: string; wamid: string | null }[] };
    await waitFor('accepted sends', async () => {
      const d = await deliveries();
      return d.total === SHANGHAI.length && d.items.every((x) => x.wamid) ? d : undefined;
    }, 40_000);
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(sendAt));
    const summary = await env.inbox('GET', '/log/summary');
    expect(summary.messages.accepted).toBe(SHANGHAI.length);
    expect(summary.messages.byType).toEqual({ interactive: SHANGHAI.length });
    expect(summary.duplicates.callbackData.recipients).toBe(0);
    expect(summary.duplicates.content.recipients).toBe(0);
    for (const p of PEOPLE) {
      const conv = await env.inbox('GET', `/conversations/${SBX_PHONE}/${p.phone.slice(1)}`);
      const outbound = (conv.messages as { direction: string }[]).filter((m) => m.direction === 'outbound');
      expect(outbound, p.id).toHaveLength(p.city === 'Shanghai' ? 1 : 0);
    }

    // Status webhooks move every delivery to read (the sandbox reads them all here).
    const read = await waitFor('read statuses', async () => {
      const d = await deliveries();
      return d.items.every((x) => x.state === 'read') ? d : undefined;
    });
    const stats0 = (await api('GET', `/api/v1/tasks/${taskId}/stats`)).body;
    expect(stats0).toMatchObject({ sent: 3, delivered: 3, read: 3, failed: { total: 0 }, clicks: { total: 0 } });

    // Tapping a reply button in the sandbox phone is a click of that button in the task's statistics.
    const first = read.items.find((x) => x.phone === SHANGHAI[0]!.phone)!;
    await env.inbox('POST', `/conversations/${SBX_PHONE}/${first.phone.slice(1)}/actions`, { type: 'reply_button', wamid: first.wamid, id: 'yes' });
    const stats = await waitFor('the click in the stats', async () => {
      const s = (await api('GET', `/api/v1/tasks/${taskId}/stats`)).body;
      return s.clicks.total === 1 ? s : undefined;
    });
    expect(stats.clicks.byButton).toEqual({ Yes: 1 });
    expect(stats.rates.click).toBeCloseTo(1 / 3, 3);
    // The run completed and so did the task.
    await waitFor('task completed', async () => ((await api('GET', `/api/v1/tasks/${taskId}`)).body.state === 'completed' ? true : undefined));
    // The click is also a callback event of the user (SPEC section 7).
    const events = await server.c.db.selectFrom('events').select(['name', 'profile_id']).where('name', 'like', 'wareach.message.%').execute();
    expect(events.filter((e) => e.name === 'wareach.message.clicked').map((e) => e.profile_id)).toEqual([SHANGHAI[0]!.id]);
    expect(events.filter((e) => e.name === 'wareach.message.read')).toHaveLength(3);
  }, 90_000);
});
