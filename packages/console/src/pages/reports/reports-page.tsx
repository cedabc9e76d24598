import { Card, Input, Table, Tabs, Typography } from 'antd';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api } from '../../api/client';
import { LABEL_PATH, type LabelKind } from '../../api/reports';
import { listTasks, type TaskRow } from '../../api/tasks';
import type { Activity } from '../../api/types';
import { useSession } from '../../auth/session';
import { LoadState } from '../../components/page-state';
import { StateTag } from '../../components/state-tag';
import { useT } from '../../i18n/i18n';
import type { MessageKey } from '../../i18n/messages';
import { formatInZone } from '../../lib/time';
import { useLoad } from '../../lib/use-load';

const PAGE_SIZE = 10;

function TaskList() {
  const t = useT();
  const [q, setQ] = useState('');
  const [page, setPage] = useState(1);
  const list = useLoad(() => listTasks({ q, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE }), [q, page]);
  return (
    <>
      <Input.Search allowClear placeholder={t('tasks.searchPlaceholder')} aria-label={t('tasks.searchPlaceholder')} onSearch={(v) => { setQ(v.trim()); setPage(1); }} style={{ width: 260, marginBottom: 16 }} />
      <LoadState loading={list.loading} error={list.error}>
        <Table<TaskRow>
          rowKey="id"
          size="small"
          dataSource={list.data?.items ?? []}
          pagination={{ current: page, pageSize: PAGE_SIZE, total: list.data?.total ?? 0, onChange: setPage, showSizeChanger: false }}
          columns={[
            { title: t('common.name'), dataIndex: 'name', render: (n: string, r) => <Link to={`/tasks/${r.id}/report`}>{n}</Link> },
            { title: t('tasks.state'), dataIndex: 'state', render: (s: string) => <StateTag state={s} /> },
            { title: t('tasks.trigger'), dataIndex: 'triggerType', render: (v: string) => (v ? t(`trigger.${v}` as MessageKey) : '') },
            { title: t('common.actions'), render: (_, r) => <Link to={`/tasks/${r.id}/report`}>{t('reports.open')}</Link> },
          ]}
        />
      </LoadState>
    </>
  );
}

/** Groups or activities: a short list the server gives whole, paged here. */
function LabelList({ kind }: { kind: LabelKind }) {
  const t = useT();
  const { timezone } = useSession();
  const list = useLoad(() => api.get<Activity[]>(`/api/v1/${LABEL_PATH[kind]}`), [kind]);
  const report = (id: string) => `/reports/${LABEL_PATH[kind]}/${id}`;
  return (
    <LoadState loading={list.loading} error={list.error}>
      <Table<Activity>
        rowKey="id"
        size="small"
        dataSource={list.data ?? []}
        pagination={{ pageSize: PAGE_SIZE, showSizeChanger: false }}
        columns={[
          { title: t('common.name'), dataIndex: 'name', render: (n: string, r) => <Link to={report(r.id)}>{n}</Link> },
          ...(kind === 'activity'
            ? [{ title: t('activities.period'), render: (_: unknown, a: Activity) => (a.startsAt || a.endsAt ? `${formatInZone(a.startsAt, timezone)} → ${formatInZone(a.endsAt, timezone)}` : '') }]
            : []),
          { title: t('common.actions'), render: (_, r) => <Link to={report(r.id)}>{t('reports.open')}</Link> },
        ]}
      />
    </LoadState>
  );
}

const TABS = ['tasks', 'groups', 'activities'] as const;

/** Every report there is: tasks, task groups, activities (the tab is kept in the URL). */
export function ReportsPage() {
  const t = useT();
  const [params, setParams] = useSearchParams();
  const tab = TABS.find((x) => x === params.get('tab')) ?? 'tasks';
  return (
    <Card title={t('reports.title')}>
      <Typography.Paragraph type="secondary">{t('reports.listHelp')}</Typography.Paragraph>
      <Tabs
        activeKey={tab}
        onChange={(k) => setParams(k === 'tasks' ? {} : { tab: k }, { replace: true })}
        items={[
          { key: 'tasks', label: t('reports.tab.tasks'), children: <TaskList /> },
          { key: 'groups', label: t('reports.tab.groups'), children: <LabelList kind="group" /> },
          { key: 'activities', label: t('reports.tab.activities'), children: <LabelList kind="activity" /> },
        ]}
      />
    </Card>
  );
}
