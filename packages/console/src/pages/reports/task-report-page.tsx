import { Select } from 'antd';
import { Link, useParams, useSearchParams } from 'react-router';
import { api } from '../../api/client';
import { listRuns, type RunRow } from '../../api/reports';
import { getStats, toTask, type Raw } from '../../api/tasks';
import { useSession } from '../../auth/session';
import { useT, type TFunction } from '../../i18n/i18n';
import type { MessageKey } from '../../i18n/messages';
import { formatInZone } from '../../lib/time';
import { useLoad } from '../../lib/use-load';
import { ReportPage } from './report-body';

/** The newest runs offered in the picker; an older one is still reachable by its link (`?runId=`). */
const RUN_CHOICES = 100;

function runLabel(t: TFunction, r: RunRow, zone: string): string {
  if (r.kind === 'triggered') return t('reports.runStream');
  const key = `reports.runState.${r.state}` as MessageKey;
  return `${formatInZone(r.occurrenceAt, zone)} · ${t(key) === key ? r.state : t(key)}`;
}

/** A task's report, of all its runs or of the run chosen (kept in the URL, so a run's report can be linked). */
export function TaskReportPage() {
  const t = useT();
  const { timezone } = useSession();
  const { id = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const runId = params.get('runId') ?? undefined;
  const task = useLoad(() => api.get<Raw>(`/api/v1/tasks/${id}`), [id]);
  const runs = useLoad(() => listRuns(id, { limit: RUN_CHOICES }), [id]);
  const stats = useLoad(() => getStats(id, runId), [id, runId]);
  const name = task.data ? toTask(task.data).name : id;
  const items = runs.data?.items ?? [];
  const run = items.find((r) => r.id === runId);
  const runName = runId ? (run ? runLabel(t, run, timezone) : runId) : undefined;
  const options = [
    { value: '', label: t('reports.allRuns') },
    ...items.map((r) => ({ value: r.id, label: runLabel(t, r, timezone) })),
    ...(runId && !run ? [{ value: runId, label: runId }] : []),
  ];
  const pick = (v: string) => setParams(v ? { runId: v } : {});
  return (
    <ReportPage
      title={<>{t('reports.taskReport')} · <Link to={`/tasks/${id}`}>{name}</Link></>}
      controls={
        <Select
          style={{ width: 300 }}
          prefix={`${t('reports.run')}:`}
          aria-label={t('reports.run')}
          data-testid="report-run"
          showSearch={{ optionFilterProp: 'label' }}
          loading={runs.loading}
          value={runId ?? ''}
          options={options}
          onChange={pick}
        />
      }
      subject={runId ? { scope: 'run', name: `${name} · ${runName}` } : { scope: 'task', name }}
      stats={stats}
    />
  );
}
