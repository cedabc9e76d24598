import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuiltinRole, TaskState } from '@wareach/core';
import { builtinRoleId } from '../../src/services/auth';
import { ManualClock, systemActor } from '../../src/services/ports';
import { engineAudienceSource, engineTaskSource } from '../../src/services/tasks-engine';
import { DIALECTS, startTestServer, type TestServer } from '../helpers';
import { definition, NOW, recurringTrigger, triggeredTrigger } from './task-fixtures';

type Action = 'submit' | 'approve' | 'reject' | 'cancel' | 'pause' | 'resume' | 'edit' | 'delete';
const ACTIONS: Action[] = ['submit', 'approve', 'reject', 'cancel', 'pause', 'resume', 'edit', 'delete'];

/** What SPEC section 4 allows from each state (and where it leads). */
const ALLOWED: Record<TaskState, Partial<Record<Action, TaskState | 'deleted'>>> = {
  draft: { submit: 'pending_approval', cancel: 'cancelled', edit: 'draft', delete: 'deleted' },
  pending_approval: { approve: 'approved', reject: 'rejected', cancel: 'cancelled', edit: 'draft' },
  approved: { cancel: 'cancelled', edit: 'draft' },
  running: { pause: 'paused', cancel: 'cancelled' },
  paused: { resume: 'running', cancel: 'cancelled' },
  rejected: { edit: 'draft', cancel: 'cancelled' },
  completed: {},
  ended: {},
  cancelled: {},
};

describe.each(DIALECTS)('task life cycle over HTTP on %s', (dialect) => {
  let s: TestServer;
  let n = 0;
  const clock = new ManualClock(NOW);

  beforeAll(async () => {
    s = await startTestServer(dialect, { clock });
    await s.request('POST', '/api/v1/users/batch', { users: [{ id: 'p1', identities: { whatsapp: '+8613800000001' }, attributes: { city: 'Shanghai' } }, { id: 'p2', attributes: { city: 'Beijing' } }] });
  });
  afterAll(async () => s?.close());

  const as = (role: BuiltinRole) => ({ role });
  async function create(role: BuiltinRole = 'operator', overrides: Record<string, unknown> = {}) {
    const r = await s.request('POST', '/api/v1/tasks', definition(`task ${dialect} ${++n}`, overrides), as(role));
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body as { id: string; name: string; state: TaskState; version: number; audienceSegmentId: string | null };
  }
  const post = (id: string, action: string, body: unknown = {}, role: BuiltinRole = 'operator') => s.request('POST', `/api/v1/tasks/${id}/${action}`, body, as(role));

  /** A fresh task in `state`, reached through the API (and the engine's markState for running and after). */
  async function taskIn(state: TaskState): Promise<string> {
    const t = await create('operator', state === 'ended' ? { trigger: recurringTrigger } : {});
    const ok = async (p: Promise<{ status: number; body: unknown }>) => expect((await p).status).toBe(200);
    if (state === 'draft') return t.id;
    if (state === 'cancelled') return (await ok(post(t.id, 'cancel'))), t.id;
    await ok(post(t.id, 'submit'));
    if (state === 'pending_approval') return t.id;
    if (state === 'rejected') return (await ok(post(t.id, 'reject', { comment: 'wrong audience' }, 'approver'))), t.id;
    await ok(post(t.id, 'approve', {}, 'approver'));
    if (state === 'approved') return t.id;
    expect((await s.c.tasks.markState(t.id, 'start')).ok).toBe(true);
    if (state === 'running') return t.id;
    if (state === 'paused') return (await ok(post(t.id, 'pause', { pausedPolicy: 'hold' }))), t.id;
    expect((await s.c.tasks.markState(t.id, state === 'completed' ? 'complete' : 'end')).ok).toBe(true);
    return t.id;
  }

  async function perform(id: string, action: Action) {
    switch (action) {
      case 'edit': return s.request('PATCH', `/api/v1/tasks/${id}`, { delivery: definition('x').delivery }, as('operator'));
      case 'delete': return s.request('DELETE', `/api/v1/tasks/${id}`, undefined, as('operator'));
      case 'approve': return post(id, 'approve', { comment: 'fine' }, 'approver');
      case 'reject': return post(id, 'reject', { comment: 'no' }, 'approver');
      case 'pause': return post(id, 'pause', { pausedPolicy: 'drop' });
      default: return post(id, action);
    }
  }

  for (const state of Object.keys(ALLOWED) as TaskState[]) {
    it(`from ${state}: allows ${Object.keys(ALLOWED[state]).join(', ') || 'nothing'} and refuses the rest`, async () => {
      for (const action of ACTIONS) {
        const id = await taskIn(state);
        const r = await perform(id, action);
        const to = ALLOWED[state][action];
        if (to === undefined) {
          expect(r.status, `${state} ${action}: ${JSON.stringify(r.body)}`).toBe(409);
          expect(r.body.error.code).toBe('invalid_state');
          expect((await s.request('GET', `/api/v1/tasks/${id}`)).body.state).toBe(state);
        } else if (to === 'deleted') {
          expect(r.status).toBe(200);
          expect((await s.request('GET', `/api/v1/tasks/${id}`)).status).toBe(404);
        } else {
          expect(r.status, `${state} ${action}: ${JSON.stringify(r.body)}`).toBe(200);
          expect(r.body.state).toBe(to);
        }
      }
    });
  }

  it('records every transition in the audit log with who, when and the comment', async () => {
    const t = await create();
    clock.advance(1000);
    await post(t.id, 'submit', { comment: 'ready' });
    clock.advance(1000);
    await post(t.id, 'reject', { comment: 'fix the audience' }, 'approver');
    await s.request('PATCH', `/api/v1/tasks/${t.id}`, { basic: { name: `${t.name} v2` } }, as('operator'));
    const audit = await s.request('GET', `/api/v1/tasks/${t.id}/audit`, undefined, as('admin'));
    expect(audit.status).toBe(200);
    const entries = (audit.body as { action: string; at: string; actor: { type: string; id: string }; details: Record<string, unknown> }[]).reverse();
    expect(entries.map((e) => e.action)).toEqual(['task.create', 'task.submit', 'task.reject', 'task.edit']);
    expect(entries[1]).toMatchObject({ at: new Date(clock.now() - 1000).toISOString(), actor: { type: 'api_key' }, details: { from: 'draft', to: 'pending_approval', comment: 'ready' } });
    expect(entries[2]!.details).toEqual({ from: 'pending_approval', to: 'rejected', comment: 'fix the audience' });
    expect(entries[3]!.details).toMatchObject({ from: 'rejected', to: 'draft' });
    expect(entries[1]!.actor.id).not.toBe(entries[2]!.actor.id);
  });

  it('refuses approval by the author unless the project allows self-approval, and approval without task.approve', async () => {
    const own = await create('admin');
    await post(own.id, 'submit', {}, 'admin');
    const self = await post(own.id, 'approve', {}, 'admin');
    expect(self.status).toBe(403);
    expect(self.body.error).toMatchObject({ code: 'self_approval', message: 'You cannot approve or reject your own task' });
    expect((await post(own.id, 'approve', {}, 'operator')).status).toBe(403);
    expect((await post(own.id, 'reject', {}, 'approver')).body.error.details).toEqual([{ path: 'comment', message: expect.any(String) }]);
    expect((await s.request('PATCH', '/api/v1/settings', { allowSelfApproval: true })).status).toBe(200);
    const approved = await post(own.id, 'approve', { comment: 'my own' }, 'admin');
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body).toMatchObject({ state: 'approved', approvedBy: expect.any(String), approvedAt: new Date(clock.now()).toISOString() });
    await s.request('PATCH', '/api/v1/settings', { allowSelfApproval: false });
  });

  it('submitting a rule audience saves and computes its segment, named <task name>-<task ID>', async () => {
    const scheduled = await create('operator', { audience: { mode: 'rule', rule: definition('x').audience.rule, syncToSegmentList: false, authorisedRoleIds: ['role_approver'] } });
    expect(scheduled.audienceSegmentId).toEqual(expect.any(String));
    const sub = await post(scheduled.id, 'submit');
    expect(sub.status, JSON.stringify(sub.body)).toBe(200);
    const seg = await s.request('GET', `/api/v1/segments/${sub.body.audienceSegmentId}`);
    expect(seg.body).toMatchObject({ name: `${scheduled.name}-${scheduled.id}`, owningTaskId: scheduled.id, visibleInList: false, authorisedRoleIds: ['role_approver'], refresh: { mode: 'on_demand' }, memberCount: 1, sendCount: 1 });
    expect((await s.request('GET', '/api/v1/segments?limit=500')).body.items.map((x: { id: string }) => x.id)).not.toContain(seg.body.id);
    const triggered = await create('operator', { trigger: triggeredTrigger });
    const sub2 = await post(triggered.id, 'submit');
    expect(sub2.body.definition.trigger.endAt).toBe('2026-12-31T02:00:00.000Z');
    expect((await s.request('GET', `/api/v1/segments/${sub2.body.audienceSegmentId}`)).body).toMatchObject({ refresh: { mode: 'daily', time: '06:00' }, visibleInList: true });
    expect((await s.request('PATCH', `/api/v1/segments/${sub2.body.audienceSegmentId}`, { name: 'mine' })).status).toBe(409);
    // A draft's own segment goes with it.
    const draft = await create();
    expect((await s.request('DELETE', `/api/v1/tasks/${draft.id}`, undefined, as('operator'))).status).toBe(200);
    expect((await s.request('GET', `/api/v1/segments/${draft.audienceSegmentId}`)).status).toBe(404);
  });

  it('says "lacks segment permission" on view, edit and copy to a member whose role the segment is not authorised to', async () => {
    const t = await create('operator', { audience: { mode: 'rule', rule: definition('x').audience.rule, syncToSegmentList: true, authorisedRoleIds: ['role_approver'] } });
    const other = (await s.c.auth.createApiKey(systemActor, { name: 'second operator', roleId: builtinRoleId('operator') })).key;
    const call = (method: string, path: string, body?: unknown) =>
      fetch(`${s.url}${path}`, { method, headers: { authorization: `Bearer ${other}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
    for (const [method, path, body] of [['GET', `/api/v1/tasks/${t.id}`], ['PATCH', `/api/v1/tasks/${t.id}`, { basic: { name: 'stolen' } }], ['POST', `/api/v1/tasks/${t.id}/copy`, {}]] as const) {
      const r = await call(method, path, body);
      expect(r.status, `${method} ${path}`).toBe(403);
      expect(((await r.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'segment_permission', message: expect.stringContaining(`${t.name}-${t.id}`) });
    }
    for (const role of ['operator', 'approver', 'admin'] as const) expect((await s.request('GET', `/api/v1/tasks/${t.id}`, undefined, as(role))).status, role).toBe(200);
    expect((await s.request('GET', `/api/v1/tasks/${t.id}`, undefined, as('analyst'))).status).toBe(403);
  });

  it('lets an approver read a submitted task whose segment is not authorised to them, but not copy it', async () => {
    const t = await create('operator', { audience: { mode: 'rule', rule: definition('x').audience.rule, syncToSegmentList: false, authorisedRoleIds: ['role_operator'] } });
    expect((await s.request('GET', `/api/v1/tasks/${t.id}`, undefined, as('approver'))).status, 'a draft stays private').toBe(403);
    expect((await post(t.id, 'submit')).status).toBe(200);
    const seen = await s.request('GET', `/api/v1/tasks/${t.id}`, undefined, as('approver'));
    expect(seen.status, JSON.stringify(seen.body)).toBe(200);
    expect(seen.body.state).toBe('pending_approval');
    expect((await s.request('GET', `/api/v1/tasks/${t.id}/audit`, undefined, as('approver'))).status).toBe(200);
    expect((await s.request('POST', `/api/v1/tasks/${t.id}/copy`, {}, as('approver'))).status).toBe(403);
  });

  it('copies a task into a new draft with its own segment and a free name', async () => {
    const t = await create();
    await post(t.id, 'submit');
    const copy = await post(t.id, 'copy');
    expect(copy.status, JSON.stringify(copy.body)).toBe(201);
    expect(copy.body).toMatchObject({ name: `${t.name} (copy)`, state: 'draft' });
    expect(copy.body.audienceSegmentId).not.toBe(t.audienceSegmentId);
    expect((await post(t.id, 'copy')).body.name).toBe(`${t.name} (copy 2)`);
    expect((await post(t.id, 'copy', { name: 'Named copy' })).body.name).toBe('Named copy');
  });

  it('refuses a stale version and keeps names unique ignoring case and blanks', async () => {
    const t = await create();
    const stale = await s.request('PATCH', `/api/v1/tasks/${t.id}`, { version: t.version + 1, delivery: definition('x').delivery }, as('operator'));
    expect(stale.status).toBe(409);
    const clash = await s.request('POST', '/api/v1/tasks', definition(`  ${t.name.toUpperCase()}  `), as('operator'));
    expect(clash.status).toBe(409);
    expect(clash.body.error.details).toEqual([{ path: 'basic.name', message: expect.stringContaining(`is already used by task ${t.id}`) }]);
  });

  it('lists tasks by state, trigger type, group, activity and text, paged', async () => {
    const group = await s.request('POST', '/api/v1/groups', { name: `group-${dialect}` });
    const t = await create('operator', { basic: { name: `Findable ${dialect}`, groupId: group.body.id } });
    const list = await s.request('GET', `/api/v1/tasks?state=draft,pending_approval&triggerType=scheduled_once&groupId=${group.body.id}&q=findable`, undefined, as('analyst'));
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ total: 1, items: [{ id: t.id, allowedActions: ['submit', 'cancel', 'edit'] }] });
    expect((await s.request('GET', '/api/v1/tasks?state=bogus')).status).toBe(400);
    expect((await s.request('DELETE', `/api/v1/groups/${group.body.id}`)).status).toBe(409);
    expect((await s.request('GET', '/api/v1/tasks?limit=2&offset=1')).body.items).toHaveLength(2);
  });

  it('gives the engine its reads, state changes and approval-timeout decisions', async () => {
    const id = await taskIn('pending_approval');
    const t = (await s.c.tasks.getTask(id))!;
    expect(s.c.tasks.approvalTimeoutDue(t, NOW)).toBe('wait');
    expect(s.c.tasks.approvalTimeoutDue(t, Date.parse('2026-11-26T02:00:00Z'))).toBe('cancel');
    expect((await s.c.tasks.listRunnable({ state: 'pending_approval', triggerType: 'scheduled_once' })).map((x) => x.id)).toContain(id);
    const refused = await s.c.tasks.markState(id, 'start');
    expect(refused).toEqual({ ok: false, error: { code: 'not_allowed', message: expect.any(String) } });
    const tasks = engineTaskSource(s.c.tasks);
    expect(await tasks.transition(id, 'approval_timeout', 'approval timeout')).toBe(true);
    expect((await tasks.getTask(id))!.state).toBe('cancelled');
    // Two workers moving one task at once: one wins, the other is told no, neither throws.
    const approved = await taskIn('approved');
    expect((await Promise.all([tasks.transition(approved, 'start'), tasks.transition(approved, 'start')])).sort()).toEqual([false, true]);
    const audience = engineAudienceSource({ tasks: s.c.tasks, audience: s.c.audience, segments: s.c.segments, segmentStore: s.c.segmentStore, clock });
    const running = await taskIn('running');
    const et = (await tasks.getTask(running))!;
    expect(await audience.refresh(et)).toEqual({ kind: 'refreshed' });
    const got: unknown[] = [];
    for await (const b of audience.iterate(et, 10)) got.push(...b);
    expect(got).toEqual([{ profileId: 'p1', phone: '+8613800000001' }]);
    expect(await audience.inAudience(et, ['p1', 'p2'])).toEqual(new Set(['p1']));
    const draft = await create();
    expect(await tasks.getTask(draft.id)).toBeUndefined();
  });
});
