import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSV_AUDIENCE_MESSAGE } from '@wareach/core';
import { ManualClock } from '../../src/services/ports';
import { startTestServer, type TestServer } from '../helpers';
import { definition, inShanghai, NOW, onceTrigger, recurringTrigger, triggeredTrigger } from './task-fixtures';

type Details = { path: string; message: string }[];

describe('task validation over HTTP', () => {
  let s: TestServer;
  let n = 0;
  const clock = new ManualClock(NOW);
  let csvSegment = '';

  beforeAll(async () => {
    s = await startTestServer('sqlite', { clock });
    csvSegment = (await s.request('POST', '/api/v1/segments', { name: 'uploaded list', kind: 'csv' })).body.id;
  });
  afterAll(async () => s?.close());

  const name = () => `validation ${++n}`;
  const csvAudience = () => ({ mode: 'csv', csvUploadId: csvSegment });

  async function draftErrors(body: unknown): Promise<Details> {
    const r = await s.request('POST', '/api/v1/tasks', body, { role: 'operator' });
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.error.code).toBe('validation');
    return r.body.error.details;
  }
  async function submitErrors(body: Record<string, unknown>): Promise<Details> {
    const created = await s.request('POST', '/api/v1/tasks', body, { role: 'operator' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const r = await s.request('POST', `/api/v1/tasks/${created.body.id}/submit`, {}, { role: 'operator' });
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.error.message).toBe('The task cannot be submitted yet');
    return r.body.error.details;
  }

  // Each rule of the task model (core's validateDraft / validateForSubmit, and the server's own
  // checks) reaches the caller as {path, message}.
  const draftCases: [string, () => unknown, string, string | RegExp][] = [
    ['a task needs a name', () => ({}), 'basic.name', 'Name the task'],
    ['a blank name is no name', () => ({ basic: { name: '   ' } }), 'basic.name', 'Name the task'],
    ['names have at most 100 characters', () => ({ basic: { name: 'x'.repeat(101) } }), 'basic.name', 'A task name has at most 100 characters'],
    ['unknown fields are named', () => ({ basic: { name: name(), colour: 'red' } }), 'basic.colour', 'is not a known field'],
    ['CSV audiences are for scheduled tasks only', () => definition(name(), { audience: csvAudience(), trigger: triggeredTrigger }), 'audience.mode', CSV_AUDIENCE_MESSAGE],
    ['no exclusion with a CSV audience', () => definition(name(), { audience: { ...csvAudience(), exclusion: { taskIds: ['t1'] } } }), 'audience.exclusion', 'Exclusion of other tasks is not offered with a CSV audience'],
    ['a task frequency cap needs a recurring or triggered task', () => definition(name(), { delivery: { ...definition('x').delivery, taskCap: { max: 1, period: 'day' } } }), 'delivery.taskCap', 'A task frequency cap applies only to recurring and triggered tasks'],
    ['do-not-disturb must end at another time than it starts', () => definition(name(), { delivery: { ...definition('x').delivery, dnd: { start: '22:00', end: '22:00', action: 'drop' } } }), 'delivery.dnd.end', 'The do-not-disturb period must end at a different time than it starts'],
    ['a recurring task ends after it starts', () => definition(name(), { trigger: { ...recurringTrigger, endAt: recurringTrigger.startAt } }), 'trigger.endAt', 'The end time must be after the start time'],
    ['an event range ends after it starts', () => definition(name(), { trigger: { ...triggeredTrigger, range: { start: '2026-12-01T00:00:00Z', end: '2026-11-30T00:00:00Z' } } }), 'trigger.range.end', 'The event range must end after it starts'],
    ['the end time is not before the event range ends', () => definition(name(), { trigger: { ...triggeredTrigger, endAt: '2026-12-01T00:00:00Z' } }), 'trigger.endAt', 'The task end time cannot be before the end of the event range'],
    ['a delay is at most 365 days', () => definition(name(), { trigger: { ...triggeredTrigger, timing: { kind: 'delay', amount: 366, unit: 'days' } } }), 'trigger.timing.amount', 'A delay can be at most 365 days'],
    ['a not-B window is at most 365 days', () => definition(name(), { trigger: { ...triggeredTrigger, type: 'triggered_not', eventB: { name: 'visit' }, window: { amount: 9000, unit: 'hours' } } }), 'trigger.window.amount', 'The window can be at most 365 days'],
    ['cron expressions must fire', () => definition(name(), { trigger: { ...recurringTrigger, cycle: { kind: 'cron', expression: '0 0 31 2 *' } } }), 'trigger.cycle.expression', 'This cron expression never fires'],
    ['supplementary IDs are phone numbers with the country code', () => definition(name(), { audience: { ...definition('x').audience, supplementaryIds: ['13800000000'] } }), 'audience.supplementaryIds.0', /must start with \+ or 00/],
    ['the message content is checked (button titles at most 20 characters)', () => definition(name(), { delivery: { ...definition('x').delivery, content: { type: 'buttons', body: 'Pick', buttons: [{ id: 'a', title: 'x'.repeat(21) }] } } }), 'delivery.content.buttons.0.title', /20/],
    ['placeholders are checked', () => definition(name(), { delivery: { ...definition('x').delivery, content: { type: 'text', body: 'Hi {{name}}' } } }), 'delivery.content.body', /\{\{attr\.NAME\}\}/],
    ['the audience rule is checked (at most 5 levels)', () => definition(name(), { audience: { ...definition('x').audience, rule: { kind: 'and', children: [{ kind: 'or', children: [{ kind: 'and', children: [{ kind: 'or', children: [{ kind: 'and', children: [{ kind: 'or', children: [inShanghai.children[0]] }] }] }] }] }] } } }), 'audience.rule.children.0.children.0.children.0.children.0.children.0.kind', 'groups may nest at most 5 levels deep'],
    ['rule values are typed', () => definition(name(), { audience: { ...definition('x').audience, rule: { kind: 'and', children: [{ kind: 'tag', name: 'level', valueType: 'number', op: 'gte', value: 'two' }] } } }), 'audience.rule.children.0.value', /number/],
    ['segments named in the rule exist', () => definition(name(), { audience: { ...definition('x').audience, rule: { kind: 'and', children: [{ kind: 'segment', segmentId: 'nope', member: true }] } } }), 'audience.rule.children.0.segmentId', 'segment nope does not exist'],
    ['the chosen segment exists', () => definition(name(), { audience: { mode: 'segment', segmentId: 'nope' } }), 'audience.segmentId', 'segment nope does not exist'],
    ['a CSV audience names an uploaded list', () => definition(name(), { audience: { mode: 'csv', csvUploadId: 'nope' } }), 'audience.csvUploadId', /is not an uploaded CSV list/],
    ['the group exists', () => definition(name(), { basic: { name: name(), groupId: 'nope' } }), 'basic.groupId', 'group nope does not exist'],
    ['the activity exists', () => definition(name(), { basic: { name: name(), activityId: 'nope' } }), 'basic.activityId', 'activity nope does not exist'],
    ['excluded tasks exist', () => definition(name(), { audience: { ...definition('x').audience, exclusion: { taskIds: ['nope'] } } }), 'audience.exclusion.taskIds.0', 'task nope does not exist'],
    ['authorised roles exist', () => definition(name(), { audience: { ...definition('x').audience, authorisedRoleIds: ['role_nope'] } }), 'audience.authorisedRoleIds.0', 'role role_nope does not exist'],
  ];
  for (const [rule, body, path, message] of draftCases) {
    it(`draft: ${rule}`, async () => {
      const details = await draftErrors(body());
      expect(details, JSON.stringify(details)).toContainEqual({ path, message: typeof message === 'string' ? message : expect.stringMatching(message) });
    });
  }

  const submitCases: [string, () => Record<string, unknown>, string, string | RegExp][] = [
    ['the send time is in the future', () => definition(name(), { trigger: { ...onceTrigger, sendAt: '2026-11-24T00:00:00Z' } }), 'trigger.sendAt', 'The send time must be in the future'],
    ['a recurring task has not ended', () => definition(name(), { trigger: { ...recurringTrigger, startAt: '2026-10-01T00:00:00Z', endAt: '2026-11-01T00:00:00Z' } }), 'trigger.endAt', 'The end time must be in the future'],
    ['a recurring cycle still occurs before its end', () => definition(name(), { trigger: { ...recurringTrigger, cycle: { kind: 'monthly', days: [31], time: '10:00' }, startAt: '2026-11-26T00:00:00Z', endAt: '2026-11-29T00:00:00Z' } }), 'trigger.cycle', 'No occurrence of this cycle falls between now (or the start time) and the end time'],
    ['the event range has not ended', () => definition(name(), { trigger: { ...triggeredTrigger, range: { start: '2026-10-01T00:00:00Z', end: '2026-11-01T00:00:00Z' } } }), 'trigger.range.end', 'The event range has already ended'],
    ['a CSV audience has its file', () => definition(name(), { audience: { mode: 'csv' } }), 'audience.csvUploadId', 'Upload the CSV file of recipients'],
    ['every step is given', () => ({ basic: { name: name() } }), 'delivery', /./],
  ];
  for (const [rule, body, path, message] of submitCases) {
    it(`submit: ${rule}`, async () => {
      const details = await submitErrors(body());
      expect(details, JSON.stringify(details)).toContainEqual({ path, message: typeof message === 'string' ? message : expect.stringMatching(message) });
    });
  }

  it('submit: a template must be APPROVED on the channel', async () => {
    const template = { name: 'promo', language: 'en_US', components: [{ type: 'BODY', text: 'Hello' }] };
    const approved = new Set<string>();
    s.c.setTemplateLookup({ getApprovedTemplate: async (channelId, tname, language) => (approved.has(`${channelId}/${tname}/${language}`) ? { name: tname } : undefined) });
    const body = definition(name(), { delivery: { ...definition('x').delivery, content: { type: 'template', template, bindings: {} } } });
    expect(await submitErrors(body)).toEqual([{ path: 'delivery.content.template', message: 'template "promo" (en_US) is not an APPROVED template of channel ch_1: sync the templates or choose an approved one' }]);
    approved.add('ch_1/promo/en_US');
    const ok = await s.request('POST', '/api/v1/tasks', definition(name(), { delivery: body.delivery }), { role: 'operator' });
    expect((await s.request('POST', `/api/v1/tasks/${ok.body.id}/submit`, {}, { role: 'operator' })).status).toBe(200);
  });

  it('reports every problem of a draft at once', async () => {
    const details = await draftErrors({ basic: { name: name(), groupId: 'nope' }, audience: { mode: 'segment', segmentId: 'nope' }, delivery: { channelId: 'c', phoneNumberId: 'p', taskType: 'loud', content: { type: 'text', body: '' } } });
    expect(details.map((d) => d.path).sort()).toEqual(['audience.segmentId', 'basic.groupId', 'delivery.taskType'].sort());
  });

  it('previews timing in UTC and in the project timezone', async () => {
    const recurring = await s.request('POST', '/api/v1/tasks/preview-timing', { trigger: recurringTrigger, limit: 2 }, { role: 'analyst' });
    expect(recurring.status, JSON.stringify(recurring.body)).toBe(200);
    expect(recurring.body).toMatchObject({ kind: 'recurring', moreAfter: true, occurrences: [{ utc: '2026-11-26T02:00:00.000Z', local: '2026-11-26T10:00:00.000+08:00', zone: 'Asia/Shanghai' }, { utc: '2026-11-27T02:00:00.000Z' }] });
    const events = await s.request('POST', '/api/v1/tasks/preview-timing', { trigger: triggeredTrigger, events: { a: ['2026-11-27T01:00:00Z', '2026-11-20T01:00:00Z'] } });
    expect(events.body).toMatchObject({ kind: 'event', endAtDefaulted: true, endAt: { utc: '2026-12-31T02:00:00.000Z' } });
    expect(events.body.events.map((e: { index: number; outcome: { kind: string; reason?: string; dueAt?: { utc: string } } }) => [e.index, e.outcome.kind, e.outcome.reason ?? e.outcome.dueAt?.utc])).toEqual([
      [1, 'none', 'outside_range'],
      [0, 'due', '2026-11-27T03:00:00.000Z'],
    ]);
    const bad = await s.request('POST', '/api/v1/tasks/preview-timing', { trigger: { ...onceTrigger, sendAt: 'tomorrow' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('trigger.sendAt');
    const badEvent = await s.request('POST', '/api/v1/tasks/preview-timing', { trigger: triggeredTrigger, events: { a: ['soon'] } });
    expect(badEvent.body.error.details[0].path).toBe('events.a.0');
  });
});
