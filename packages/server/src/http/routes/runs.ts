import { z } from 'zod';
import type { Container } from '../../app/container';
import type { App } from '../types';
import { idParams, pageQuery } from './schemas';

/** Runs and deliveries of a task. Paths other tools rely on: keep them exactly. */
export async function runRoutes(app: App, c: Container) {
  app.get('/api/v1/tasks/:id/runs', {
    config: { permission: 'report.view' },
    schema: { tags: ['analytics'], summary: "A task's runs, newest first (scheduled occurrences, or the stream of a triggered task)", params: idParams, querystring: pageQuery },
  }, async (req) => {
    const r = await c.analytics.runs(req.params.id, req.query.limit, req.query.offset);
    return {
      total: r.total,
      items: r.items.map((x) => ({
        id: x.id, taskId: x.task_id, kind: x.kind, state: x.state, reason: x.reason, audienceSize: Number(x.audience_size), paced: Number(x.paced),
        occurrenceAt: new Date(Number(x.occurrence_at)).toISOString(),
        startedAt: x.started_at == null ? null : new Date(Number(x.started_at)).toISOString(),
        finishedAt: x.finished_at == null ? null : new Date(Number(x.finished_at)).toISOString(),
      })),
    };
  });

  const iso = (v: number | null) => (v == null ? null : new Date(Number(v)).toISOString());
  app.get('/api/v1/tasks/:id/deliveries', {
    config: { permission: 'task.view' },
    schema: {
      tags: ['analytics'],
      summary: "A task's deliveries, paged; filter by state, skip reason and run",
      params: idParams,
      querystring: pageQuery.extend({
        state: z.enum(['queued', 'sending', 'accepted', 'delivered', 'read', 'failed', 'skipped']).optional(),
        reason: z.string().max(64).optional(),
        runId: z.string().max(300).optional(),
      }),
    },
  }, async (req) => {
    const q = req.query;
    const r = await c.analytics.deliveries(req.params.id, { limit: q.limit, offset: q.offset, ...(q.state ? { state: q.state } : {}), ...(q.reason ? { reason: q.reason } : {}), ...(q.runId ? { runId: q.runId } : {}) });
    return {
      total: r.total,
      items: r.items.map((d) => ({
        id: d.id, taskId: d.task_id, runId: d.run_id, profileId: d.profile_id, phone: d.phone, state: d.state, reason: d.reason, priority: d.priority,
        wamid: d.wamid, errorCode: d.error_code, errorTitle: d.error_title, attempts: Number(d.attempts),
        dueAt: iso(d.due_at), queuedAt: iso(d.queued_at), sendingAt: iso(d.sending_at), acceptedAt: iso(d.accepted_at), deliveredAt: iso(d.delivered_at),
        readAt: iso(d.read_at), failedAt: iso(d.failed_at), skippedAt: iso(d.skipped_at), repliedAt: iso(d.replied_at), clickedAt: iso(d.clicked_at),
      })),
    };
  });
}
