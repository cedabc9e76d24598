import { z } from 'zod';
import type { Container } from '../../app/container';
import type { App } from '../types';
import { idParams, okSchema } from './schemas';

export async function projectRoutes(app: App, c: Container) {
  const p = c.project;
  app.get('/api/v1/settings', { config: { permission: 'channel.view' }, schema: { tags: ['settings'], summary: 'Project settings (timezone, do-not-disturb defaults, caps, refresh lead time)' } }, async () => p.getSettings());
  app.patch('/api/v1/settings', { config: { permission: 'settings.manage' }, schema: { tags: ['settings'], summary: 'Change project settings', body: z.record(z.string(), z.unknown()) } }, async (req) => p.updateSettings(req.actor, req.body));

  const nameBody = z.strictObject({ name: z.string().trim().min(1).max(100) });
  app.get('/api/v1/groups', { config: { permission: 'task.view' }, schema: { tags: ['groups'], summary: 'List task groups' } }, async () => p.listGroups());
  app.post('/api/v1/groups', { config: { permission: 'group.manage' }, schema: { tags: ['groups'], summary: 'Create a task group (project admin)', body: nameBody } }, async (req, reply) => reply.status(201).send(await p.createGroup(req.actor, req.body.name)));
  app.patch('/api/v1/groups/:id', { config: { permission: 'group.manage' }, schema: { tags: ['groups'], summary: 'Rename a task group', params: idParams, body: nameBody } }, async (req) => p.renameGroup(req.actor, req.params.id, req.body.name));
  app.delete('/api/v1/groups/:id', { config: { permission: 'group.manage' }, schema: { tags: ['groups'], summary: 'Delete an empty task group', params: idParams, response: { 200: okSchema } } }, async (req) => {
    await p.deleteGroup(req.actor, req.params.id);
    return { ok: true as const };
  });

  const activityBody = z.strictObject({ name: z.string().trim().min(1).max(100), description: z.string().max(1000).nullable().optional(), startsAt: z.iso.datetime({ offset: true }).nullable().optional(), endsAt: z.iso.datetime({ offset: true }).nullable().optional() });
  app.get('/api/v1/activities', { config: { permission: 'task.view' }, schema: { tags: ['groups'], summary: 'List activities' } }, async () => p.listActivities());
  app.post('/api/v1/activities', { config: { permission: 'task.edit' }, schema: { tags: ['groups'], summary: 'Create an activity (campaign)', body: activityBody } }, async (req, reply) => reply.status(201).send(await p.saveActivity(req.actor, undefined, req.body)));
  app.patch('/api/v1/activities/:id', { config: { permission: 'task.edit' }, schema: { tags: ['groups'], summary: 'Change an activity', params: idParams, body: activityBody } }, async (req) => p.saveActivity(req.actor, req.params.id, req.body));
  app.delete('/api/v1/activities/:id', { config: { permission: 'group.manage' }, schema: { tags: ['groups'], summary: 'Delete an activity that holds no tasks', params: idParams, response: { 200: okSchema } } }, async (req) => {
    await p.deleteActivity(req.actor, req.params.id);
    return { ok: true as const };
  });
}
