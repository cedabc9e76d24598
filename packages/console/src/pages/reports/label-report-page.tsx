import { Card, Result, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../../api/client';
import { getLabelStats, LABEL_PATH, type LabelKind } from '../../api/reports';
import { listTasks, type TaskRow } from '../../api/tasks';
import type { Activity } from '../../api/types';
import { useSession } from '../../auth/session';
import { LoadState } from '../../components/page-state';
import { StateTag } from '../../components/state-tag';
import { useT } from '../../i18n/i18n';
import type { MessageKey } from '../../i18n/messages';
import { formatInZone } from '../../lib/time';
import { useLoad } from '../../lib/use-load';
import { ReportPage } from './report-body';

const PAGE_SIZE = 10;

/** The tasks a group or activity holds, each with a link to its own report. */
function LabelTasks({ kind, id, name }: { kind: LabelKind; id: string; name: string }) {
  const t = useT();
  const [page, setPage] = useState(1);
  const list = useLoad(() => listTasks({ [kind === 'group' ? 'groupId' : 'activityId']: id, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE }), [kind, id, page]);
  return (
    <Card title={t('reports.tasksIn', { name })} size="small">
      <LoadState loading={list.loading} error={list.error}>
        <Table<TaskRow>
          rowKey="id"
          size="small"
          dataSource={list.data?.items ?? []}
          pagination={{ current: page, pageSize: PAGE_SIZE, total: list.data?.total ?? 0, onChange: setPage, showSizeChanger: false, hideOnSinglePage: true }}
          columns={[
            { title: t('common.name'), dataIndex: 'name', render: (n: string, r) => <Link to={`/tasks/${r.id}`}>{n}</Link> },
            { title: t('tasks.state'), dataIndex: 'state', render: (s: string) => <StateTag state={s} /> },
            { title: t('tasks.trigger'), dataIndex: 'triggerType', render: (v: string) => (v ? t(`trigger.${v}` as MessageKey) : '') },
            { title: t('common.actions'), render: (_, r) => <Link to={`/tasks/${r.id}/report`}>{t('reports.open')}</Link> },
          ]}
        />
      </LoadState>
    </Card>
  );
}

/** The report of a task group's or an activity's tasks added up (`/api/v1/{groups|activities}/{id}/stats`). */
export function LabelReportPage({ kind }: { kind: LabelKind }) {
  const t = useT();
  const { timezone } = useSession();
  const { id = '' } = useParams();
  // Groups and activities have no single-item route: the name comes from the (short) list.
  const labels = useLoad(() => api.get<Activity[]>(`/api/v1/${LABEL_PATH[kind]}`), [kind]);
  const stats = useLoad(() => getLabelStats(kind, id), [kind, id]);
  const label = labels.data?.find((x) => x.id === id);
  if (labels.data && !label) return <Result status="404" title={t('common.notFound')} />;
  const name = label?.name ?? id;
  const period = label && (label.startsAt || label.endsAt) ? `${formatInZone(label.startsAt, timezone)} → ${formatInZone(label.endsAt, timezone)}` : '';
  const description = kind === 'activity' && (period || label?.description) ? (
    <Space orientation="vertical" size={0}>
      {period && <Typography.Text>{t('activities.period')} {period} ({timezone})</Typography.Text>}
      {label?.description && <Typography.Text type="secondary">{label.description}</Typography.Text>}
    </Space>
  ) : undefined;
  return (
    <ReportPage
      title={`${t(kind === 'group' ? 'reports.groupReport' : 'reports.activityReport')} · ${name}`}
      description={description}
      subject={{ scope: kind, name }}
      stats={stats}
    >
      <LabelTasks kind={kind} id={id} name={name} />
    </ReportPage>
  );
}
