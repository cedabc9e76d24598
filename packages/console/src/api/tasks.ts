/** Task shapes read tolerantly from the tasks API (the definition may be nested or flat). */
import { api, asPage } from './client';

export type Raw = Record<string, unknown>;

export interface TaskRow {
  id: string;
  name: string;
  state: string;
  triggerType: string;
  taskType: string;
  groupId?: string;
  activityId?: string;
  createdBy?: string;
  createdAt?: string;
  raw: Raw;
}

const obj = (v: unknown): Raw => (v && typeof v === 'object' ? (v as Raw) : {});
const s = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function definitionOf(r: Raw): { basic: Raw; audience: Raw; trigger: Raw; delivery: Raw } {
  const d = obj(r.definition ?? r.draft ?? r);
  return { basic: obj(d.basic), audience: obj(d.audience), trigger: obj(d.trigger), delivery: obj(d.delivery) };
}

export function toTask(r: Raw): TaskRow {
  const d = definitionOf(r);
  return {
    id: String(r.id),
    name: s(r.name) ?? s(d.basic.name) ?? String(r.id),
    state: s(r.state) ?? s(r.status) ?? 'draft',
    triggerType: s(r.triggerType) ?? s(d.trigger.type) ?? '',
    taskType: s(r.taskType) ?? s(d.delivery.taskType) ?? '',
    ...(s(r.groupId) ?? s(d.basic.groupId) ? { groupId: s(r.groupId) ?? s(d.basic.groupId) } : {}),
    ...(s(r.activityId) ?? s(d.basic.activityId) ? { activityId: s(r.activityId) ?? s(d.basic.activityId) } : {}),
    ...(s(r.createdBy) ? { createdBy: s(r.createdBy) } : {}),
    ...(r.createdAt !== undefined ? { createdAt: String(r.createdAt) } : {}),
    raw: r,
  };
}

export async function listTasks(query: Record<string, string | number | undefined>): Promise<{ items: TaskRow[]; total: number }> {
  const page = asPage<Raw>(await api.get<unknown>('/api/v1/tasks', query));
  return { items: page.items.map(toTask), total: page.total };
}

export interface TaskStats {
  audience: number;
  sent: number;
  delivered: number;
  read: number;
  replied: number;
  clicked: number;
  failed: number;
  skipped: { reason: string; count: number }[];
  failures: { code: string; title?: string; count: number }[];
  clicksByButton: { button: string; count: number }[];
  series: { at: string; sent: number; delivered: number; read: number; replied: number; failed: number }[];
}

const num = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : 0);
const pairs = (v: unknown, key: string): { k: string; count: number; title?: string }[] => {
  if (Array.isArray(v)) return v.map((x) => { const o = obj(x); return { k: String(o[key] ?? o.reason ?? o.code ?? o.button ?? ''), count: num(o.count ?? o.n), ...(s(o.title) ? { title: s(o.title) } : {}) }; });
  return Object.entries(obj(v)).map(([k, c]) => ({ k, count: num(c) }));
};

/** A count the engine may give bare (`sent: 3`) or with its breakdown (`failed: {total, byCode}`). */
const total = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? num(obj(v).total) : num(v));
/** The breakdown of such a count: `{total, byCode: {…}}` → the `byCode` map; a bare list or map as is. */
const breakdown = (v: unknown, by: string) => (v && typeof v === 'object' && !Array.isArray(v) && by in obj(v) ? obj(v)[by] : v);

export function toStats(r: Raw): TaskStats {
  const f = obj(r.funnel ?? r.totals ?? r);
  return {
    audience: num(f.audience),
    sent: num(f.sent),
    delivered: num(f.delivered),
    read: num(f.read),
    replied: total(f.replied),
    clicked: f.clicked !== undefined ? total(f.clicked) : total(f.clicks),
    failed: total(f.failed),
    skipped: pairs(r.skippedByReason ?? breakdown(r.skipped ?? r.dropped, 'byReason'), 'reason').map((p) => ({ reason: p.k, count: p.count })),
    failures: pairs(r.failures ?? r.failuresByCode ?? r.failedByCode ?? breakdown(r.failed, 'byCode'), 'code').map((p) => ({ code: p.k, count: p.count, ...(p.title ? { title: p.title } : {}) })),
    clicksByButton: pairs(r.clicksByButton ?? breakdown(r.clicks, 'byButton'), 'button').map((p) => ({ button: p.k, count: p.count })),
    series: (Array.isArray(r.series) ? r.series : Array.isArray(r.timeSeries) ? r.timeSeries : []).map((x) => {
      const o = obj(x);
      return { at: String(o.at ?? o.t ?? o.bucket ?? o.hour ?? ''), sent: num(o.sent), delivered: num(o.delivered), read: num(o.read), replied: num(o.replied), failed: num(o.failed) };
    }),
  };
}

/** A task's statistics, or one run's (the run has its own route; the task route takes no run filter). */
export async function getStats(taskId: string, runId?: string): Promise<TaskStats> {
  return toStats(await api.get<Raw>(runId ? `/api/v1/tasks/${taskId}/runs/${encodeURIComponent(runId)}/stats` : `/api/v1/tasks/${taskId}/stats`));
}
