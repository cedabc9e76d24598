import { z } from 'zod';
import { TASK_STATES, TRIGGER_TYPES } from '@wareach/core';
import type { Container } from '../../app/container';
import type { App } from '../types';
import { idParams, okSchema, pageQuery } from './schemas';

const commaList = <T extends readonly [string, ...string[]]>(values: T) =>
  z.string().transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean)).pipe(z.array(z.enum(values)));

const step = z.unknown().describe('One step of the task definition; null removes it');
const comment = z.string().trim().max(2000);
const commentBody = z.strictObject({ comment: comment.optional() }).nullish();

const DEFINITION_NOTE =
  'The five-step definition: `basic` {name, groupId?, activityId?, subjectType?}, `audience` (mode rule {rule, syncToSegmentList, authorisedRoleIds} | segment {segmentId} | csv {csvUploadId: the id of a csv segment}; supplementaryIds, exclusion), `trigger` (scheduled_once | recurring | triggered | triggered_not), `delivery` {channelId, phoneNumberId, taskType, content, dnd?, globalLimit, taskCap?}. A draft may be incomplete, but every field present is checked; errors name the field by path (e.g. `delivery.content.buttons.0.title`).';

export async function taskRoutes(app: App, c: Container) {
  const t = c.tasks;
  const tags = ['tasks'];

  app.post('/api/v1/tasks', {
    config: { permission: 'task.edit' },
    schema: { tags, summary: 'Create a draft task', description: DEFINITION_NOTE, body: z.record(z.string(), z.unknown()) },
  }, async (req, reply) => reply.status(201).send(await t.create(req.actor, req.body)));

  app.get('/api/v1/tasks', {
    config: { permission: 'task.view' },
    schema: {
      tags, summary: 'List tasks, newest change first',
      description: '`state` and `triggerType` take comma-separated lists; `q` matches part of the name (ignoring case) or the exact id.',
      querystring: pageQuery.extend({
        state: commaList(TASK_STATES).optional(),
        triggerType: commaList(TRIGGER_TYPES).optional(),
        groupId: z.string().min(1).max(200).optional(),
        activityId: z.string().min(1).max(200).optional(),
        q: z.string().max(200).optional(),
      }),
    },
  }, async (req) => {
    const q = req.query;
    return t.list({
      ...(q.state?.length ? { states: q.state } : {}), ...(q.triggerType?.length ? { triggerTypes: q.triggerType } : {}),
      ...(q.groupId ? { groupId: q.groupId } : {}), ...(q.activityId ? { activityId: q.activityId } : {}), ...(q.q ? { text: q.q } : {}),
      limit: q.limit, offset: q.offset,
    });
  });

  app.post('/api/v1/tasks/preview-timing', {
    config: { permission: 'task.view' },
    schema: {
      tags, summary: 'Preview when a trigger sends, in UTC and in the project timezone',
      description: 'Scheduled triggers: the send time or the next occurrences (`limit`, default 10). Event triggers: for each sample event A (`events.a`, ISO date-times; `events.b` for "A and not B") when its message is due, or why none.',
      body: z.strictObject({
        trigger: z.unknown(),
        events: z.strictObject({ a: z.array(z.string()).max(1000), b: z.array(z.string()).max(1000).optional() }).optional(),
        limit: z.number().int().min(1).max(100).optional(),
      }),
    },
  }, async (req) => t.previewTiming(req.body));

  app.get('/api/v1/tasks/:id', { config: { permission: 'task.view' }, schema: { tags, summary: 'Get a task', params: idParams } }, async (req) => t.get(req.actor, req.params.id));

  app.patch('/api/v1/tasks/:id', {
    config: { permission: 'task.edit' },
    schema: {
      tags, summary: 'Change a task (each step given replaces that step)',
      description: `${DEFINITION_NOTE} Editing a pending, approved or rejected task returns it to draft; running, paused and finished tasks cannot be edited. Send \`version\` to refuse the change when someone else changed the task since you read it.`,
      params: idParams,
      body: z.strictObject({ basic: step.optional(), audience: step.optional(), trigger: step.optional(), delivery: step.optional(), version: z.number().int().min(1).optional() }),
    },
  }, async (req) => t.update(req.actor, req.params.id, req.body));

  app.delete('/api/v1/tasks/:id', {
    config: { permission: 'task.edit' },
    schema: { tags, summary: 'Delete a draft', params: idParams, response: { 200: okSchema } },
  }, async (req) => {
    await t.delete(req.actor, req.params.id);
    return { ok: true as const };
  });

  app.post('/api/v1/tasks/:id/submit', {
    config: { permission: 'task.edit' },
    schema: { tags, summary: 'Submit a draft for approval (the whole definition is checked at this moment)', params: idParams, body: commentBody },
  }, async (req) => t.submit(req.actor, req.params.id, req.body?.comment));

  app.post('/api/v1/tasks/:id/approve', {
    config: { permission: 'task.approve' },
    schema: { tags, summary: 'Approve a pending task (not your own unless the project allows self-approval)', params: idParams, body: commentBody },
  }, async (req) => t.approve(req.actor, req.params.id, req.body?.comment));

  app.post('/api/v1/tasks/:id/reject', {
    config: { permission: 'task.approve' },
    schema: { tags, summary: 'Reject a pending task with the reason', params: idParams, body: z.strictObject({ comment: comment.min(1, 'say why the task is rejected') }) },
  }, async (req) => t.reject(req.actor, req.params.id, req.body.comment));

  app.post('/api/v1/tasks/:id/cancel', {
    config: { permission: 'task.edit' },
    schema: { tags, summary: 'Cancel a task that has not finished', params: idParams, body: commentBody },
  }, async (req) => t.cancel(req.actor, req.params.id, req.body?.comment));

  app.post('/api/v1/tasks/:id/pause', {
    config: { permission: 'task.edit' },
    schema: {
      tags, summary: 'Pause a running task', params: idParams,
      description: '`pausedPolicy`: what happens to sends that fall due while paused — `drop` them, or `hold` them until resumed.',
      body: z.strictObject({ pausedPolicy: z.enum(['drop', 'hold']), comment: comment.optional() }),
    },
  }, async (req) => t.pause(req.actor, req.params.id, req.body.pausedPolicy, req.body.comment));

  app.post('/api/v1/tasks/:id/resume', {
    config: { permission: 'task.edit' },
    schema: { tags, summary: 'Resume a paused task', params: idParams, body: commentBody },
  }, async (req) => t.resume(req.actor, req.params.id, req.body?.comment));

  app.post('/api/v1/tasks/:id/copy', {
    config: { permission: 'task.edit' },
    schema: { tags, summary: 'Copy a task into a new draft', params: idParams, body: z.strictObject({ name: z.string().trim().min(1).max(100).optional() }).nullish() },
  }, async (req, reply) => reply.status(201).send(await t.copy(req.actor, req.params.id, req.body?.name)));

  app.get('/api/v1/tasks/:id/audit', {
    config: { permission: 'task.view' },
    schema: { tags, summary: "A task's audit trail: every change and transition with who, when and the comment, newest first", params: idParams, querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(100), beforeId: z.coerce.number().int().min(1).optional() }) },
  }, async (req) => t.auditTrail(req.actor, req.params.id, { limit: req.query.limit, ...(req.query.beforeId ? { beforeId: req.query.beforeId } : {}) }));
}
