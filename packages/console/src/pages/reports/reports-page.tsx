import { Card, Select, Space, Typography } from 'antd';
import { useState } from 'react';
import { getStats, listTasks } from '../../api/tasks';
import { LoadState } from '../../components/page-state';
import { useT } from '../../i18n/i18n';
import { useLoad } from '../../lib/use-load';
import { StatsView } from './task-report-page';

export function ReportsPage() {
  const t = useT();
  const tasks = useLoad(() => listTasks({ limit: 200 }), []);
  const [id, setId] = useState<string>();
  const stats = useLoad(async () => (id ? getStats(id) : undefined), [id]);
  const name = tasks.data?.items.find((x) => x.id === id)?.name ?? '';
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="large">
      <Card title={t('reports.title')}>
        <Typography.Paragraph type="secondary">{t('reports.pick')}</Typography.Paragraph>
        <Select showSearch={{ optionFilterProp: 'label' }} style={{ width: 420 }} value={id} placeholder={t('reports.pick')} aria-label={t('reports.pick')} loading={tasks.loading} options={(tasks.data?.items ?? []).map((x) => ({ value: x.id, label: x.name }))} onChange={setId} />
      </Card>
      {id && (
        <LoadState loading={stats.loading && !stats.data} error={stats.error}>
          {stats.data && <StatsView stats={stats.data} name={name} />}
        </LoadState>
      )}
    </Space>
  );
}
