import type { AnalyticsStore, Scope } from '../adapters/storage/analytics-store';
import type { RunStore } from '../adapters/storage/run-store';
import type { Clock } from './ports';
import { notFound } from './errors';

const HOUR = 3_600_000;

export interface Stats {
  audience: number;
  queued: number;
  sending: number;
  skipped: { total: number; byReason: Record<string, number> };
  sent: number;
  delivered: number;
  read: number;
  failed: { total: number; byCode: Record<string, number> };
  replied: number;
  clicks: { total: number; byButton: Record<string, number> };
  rates: { delivery: number | null; read: number | null; reply: number | null; click: number | null; failure: number | null };
  series: { hour: string; sent: number; delivered: number; read: number; failed: number }[];
  progress: { done: number; total: number; perMinute: number | null; etaSeconds: number | null };
}

const rate = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 10_000) / 10_000 : null);

/**
 * SPEC section 8: per task, run, group and activity — audience, skipped by reason, sent, delivered,
 * read, failed by error code, replied, clicks per button, rates (over sent), an hourly series, and
 * progress (settled of total, the send rate over the run so far, and the time left at that rate).
 */
export function createAnalytics(deps: { store: AnalyticsStore; runs: RunStore; clock: Clock }) {
  async function stats(scope: Scope): Promise<Stats> {
    const [states, codes, reached, clicks, audience] = await Promise.all([
      deps.store.byStateReason(scope),
      deps.store.failedByCode(scope),
      deps.store.reached(scope),
      deps.store.clicksByButton(scope),
      deps.store.runAudience(scope),
    ]);
    const count = (state: string) => states.filter((s) => s.state === state).reduce((a, s) => a + Number(s.n), 0);
    const byReason: Record<string, number> = {};
    for (const s of states) if (s.state === 'skipped') byReason[s.reason ?? 'unknown'] = (byReason[s.reason ?? 'unknown'] ?? 0) + Number(s.n);
    const byCode: Record<string, number> = {};
    for (const c of codes) byCode[c.error_code === null ? 'none' : String(c.error_code)] = Number(c.n);
    const byButton: Record<string, number> = {};
    for (const c of clicks) byButton[c.button ?? ''] = Number(c.n);
    const sent = Number(reached.sent);
    const failed = count('failed');
    const clicksTotal = Object.values(byButton).reduce((a, b) => a + b, 0);
    const total = states.reduce((a, s) => a + Number(s.n), 0);
    const pending = count('queued') + count('sending');
    const done = total - pending;

    const buckets = new Map<number, { sent: number; delivered: number; read: number; failed: number }>();
    const add = (times: number[], k: 'sent' | 'delivered' | 'read' | 'failed') => {
      for (const t of times) {
        const h = Math.floor(t / HOUR) * HOUR;
        const b = buckets.get(h) ?? { sent: 0, delivered: 0, read: 0, failed: 0 };
        b[k]++;
        buckets.set(h, b);
      }
    };
    const [ta, td, tr, tf] = await Promise.all([
      deps.store.times(scope, 'accepted_at'), deps.store.times(scope, 'delivered_at'), deps.store.times(scope, 'read_at'), deps.store.times(scope, 'failed_at'),
    ]);
    add(ta, 'sent'); add(td, 'delivered'); add(tr, 'read'); add(tf, 'failed');
    const series = [...buckets].sort((a, b) => a[0] - b[0]).map(([h, b]) => ({ hour: new Date(h).toISOString(), ...b }));

    const first = reached.first_at == null ? null : Number(reached.first_at);
    const elapsedMin = first === null ? 0 : (deps.clock.now() - first) / 60_000;
    const perMinute = elapsedMin > 0 ? Math.round((sent / elapsedMin) * 100) / 100 : null;
    return {
      audience: audience || total,
      queued: count('queued'),
      sending: count('sending'),
      skipped: { total: count('skipped'), byReason },
      sent,
      delivered: Number(reached.delivered),
      read: Number(reached.read),
      failed: { total: failed, byCode },
      replied: Number(reached.replied),
      clicks: { total: clicksTotal, byButton },
      rates: { delivery: rate(Number(reached.delivered), sent), read: rate(Number(reached.read), sent), reply: rate(Number(reached.replied), sent), click: rate(Number(reached.clicked), sent), failure: rate(failed, sent + failed) },
      series,
      progress: { done, total, perMinute, etaSeconds: perMinute && pending > 0 ? Math.round((pending / perMinute) * 60) : pending === 0 ? 0 : null },
    };
  }
  return {
    stats,
    taskStats: (taskId: string) => stats({ taskIds: [taskId] }),
    /** One run of the task; a run of another task (or none) is not found. */
    async runStats(taskId: string, runId: string) {
      const run = await deps.runs.get(runId);
      if (!run || run.task_id !== taskId) throw notFound('run', runId);
      return stats({ runId });
    },
    groupStats: (taskIds: string[]) => stats({ taskIds }),
    runs: (taskId: string, limit: number, offset: number) => deps.runs.list(taskId, limit, offset),
    deliveries: deps.store.deliveries,
  };
}
export type Analytics = ReturnType<typeof createAnalytics>;
