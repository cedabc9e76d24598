import { z } from 'zod';
import type { Container } from '../../app/container';
import type { App } from '../types';
import { idParams } from './schemas';

const STATS_NOTE = 'audience, skipped by reason, sent, delivered, read, failed by error code, replied, clicks per button, rates over sent, an hourly series, and progress (done of total, sends per minute, seconds left).';

export async function analyticsRoutes(app: App, c: Container) {
  const a = c.analytics;
  const taskIds = async (kind: 'group' | 'activity', id: string) => [...new Set((await Promise.all(c.taskIdsByLabel.map((f) => f(kind, id)))).flat())];
  app.get('/api/v1/tasks/:id/stats', { config: { permission: 'report.view' }, schema: { tags: ['analytics'], summary: 'Statistics of a task', description: STATS_NOTE, params: idParams } }, async (req) => a.taskStats(req.params.id));
  app.get('/api/v1/tasks/:id/runs/:runId/stats', {
    config: { permission: 'report.view' },
    schema: { tags: ['analytics'], summary: 'Statistics of one run', description: STATS_NOTE, params: z.strictObject({ id: z.string().min(1).max(200), runId: z.string().min(1).max(300) }) },
  }, async (req) => a.runStats(req.params.id, req.params.runId));
  app.get('/api/v1/groups/:id/stats', { config: { permission: 'report.view' }, schema: { tags: ['analytics'], summary: "Statistics of a task group's tasks together", description: STATS_NOTE, params: idParams } }, async (req) => a.groupStats(await taskIds('group', req.params.id)));
  app.get('/api/v1/activities/:id/stats', { config: { permission: 'report.view' }, schema: { tags: ['analytics'], summary: "Statistics of an activity's tasks together", description: STATS_NOTE, params: idParams } }, async (req) => a.groupStats(await taskIds('activity', req.params.id)));
}
