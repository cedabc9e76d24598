/** What the report pages read besides a task's statistics: a group's or activity's, and a task's runs. */
import { api, asPage, type Page } from './client';
import { toStats, type Raw, type TaskStats } from './tasks';

/** The labels a report can add tasks up by (SPEC section 8). */
export type LabelKind = 'group' | 'activity';
export const LABEL_PATH: Record<LabelKind, string> = { group: 'groups', activity: 'activities' };

export async function getLabelStats(kind: LabelKind, id: string): Promise<TaskStats> {
  return toStats(await api.get<Raw>(`/api/v1/${LABEL_PATH[kind]}/${encodeURIComponent(id)}/stats`));
}

export interface RunRow {
  id: string;
  kind: string;
  state: string;
  occurrenceAt?: string;
  audienceSize?: number;
}

/** A task's runs, newest first. */
export async function listRuns(taskId: string, query: { limit: number; offset?: number }): Promise<Page<RunRow>> {
  const page = asPage<Raw>(await api.get<unknown>(`/api/v1/tasks/${taskId}/runs`, query));
  return {
    total: page.total,
    items: page.items.map((r) => ({
      id: String(r.id),
      kind: String(r.kind ?? ''),
      state: String(r.state ?? ''),
      ...(typeof r.occurrenceAt === 'string' ? { occurrenceAt: r.occurrenceAt } : {}),
      ...(typeof r.audienceSize === 'number' ? { audienceSize: r.audienceSize } : {}),
    })),
  };
}
