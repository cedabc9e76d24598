import { Button, Card, Input, Progress, Select, Space, Table, Tag } from 'antd';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api } from '../../api/client';
import { getStats, listTasks, type TaskRow } from '../../api/tasks';
import type { Activity, Group } from '../../api/types';
import { useSession } from '../../auth/session';
import { LoadState } from '../../components/page-state';
import { StateTag } from '../../components/state-tag';
import { useT } from '../../i18n/i18n';
import type { MessageKey } from '../../i18n/messages';
import { formatInZone } from '../../lib/time';
import { useLoad } from '../../lib/use-load';

const STATES = ['draft', 'pending_approval', 'approved', 'running', 'paused', 'completed', 'ended', 'rejected', 'cancelled'];
const TRIGGERS = ['scheduled_once', 'recurring', 'triggered', 'triggered_not'];

function RunProgress({ id }: { id: string }) {
  const stats = useLoad(() => getStats(id), [id]);
  const s = stats.data;
  if (!s || s.audience === 0) return null;
  return <Progress size="small" percent={Math.round(((s.sent + s.failed) / s.audience) * 100)} style={{ width: 120 }} />;
}

export function TasksPage() {
  const t = useT();
  const navigate = useNavigate();
  const { can, timezone } = useSession();
  const [params, setParams] = useSearchParams();
  const q = Object.fromEntries(params.entries());
  const page = Number(q.page ?? '1');
  const pageSize = 20;
  const list = useLoad(() => listTasks({ q: q.q, state: q.state, triggerType: q.triggerType, groupId: q.groupId, activityId: q.activityId, limit: pageSize, offset: (page - 1) * pageSize }), [params.toString()]);
  const groups = useLoad(() => api.get<Group[]>('/api/v1/groups').catch(() => []), []);
  const activities = useLoad(() => api.get<Activity[]>('/api/v1/activities').catch(() => []), []);
  const setFilter = (k: string, v?: string) => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v);
    else next.delete(k);
    next.set('page', '1');
    setParams(next);
  };
  return (
    <Card title={t('tasks.title')} extra={can('task.edit') && <Button type="primary" onClick={() => navigate('/tasks/new')} data-testid="new-task">{t('tasks.new')}</Button>}>
      <Space wrap style={{ marginBottom: 16 }}>
        <Input.Search allowClear defaultValue={q.q} placeholder={t('tasks.searchPlaceholder')} aria-label={t('tasks.searchPlaceholder')} onSearch={(v) => setFilter('q', v.trim())} style={{ width: 220 }} />
        <Select allowClear style={{ width: 160 }} placeholder={t('tasks.state')} aria-label={t('tasks.state')} value={q.state} options={STATES.map((s) => ({ value: s, label: t(`state.${s}` as MessageKey) }))} onChange={(v?: string) => setFilter('state', v)} />
        <Select allowClear style={{ width: 200 }} placeholder={t('tasks.trigger')} aria-label={t('tasks.trigger')} value={q.triggerType} options={TRIGGERS.map((s) => ({ value: s, label: t(`trigger.${s}` as MessageKey) }))} onChange={(v?: string) => setFilter('triggerType', v)} />
        <Select allowClear style={{ width: 160 }} placeholder={t('tasks.group')} aria-label={t('tasks.group')} value={q.groupId} options={(groups.data ?? []).map((g) => ({ value: g.id, label: g.name }))} onChange={(v?: string) => setFilter('groupId', v)} />
        <Select allowClear style={{ width: 160 }} placeholder={t('tasks.activity')} aria-label={t('tasks.activity')} value={q.activityId} options={(activities.data ?? []).map((a) => ({ value: a.id, label: a.name }))} onChange={(v?: string) => setFilter('activityId', v)} />
      </Space>
      <LoadState loading={list.loading} error={list.error}>
        <Table<TaskRow>
          rowKey="id"
          dataSource={list.data?.items ?? []}
          pagination={{ current: page, pageSize, total: list.data?.total ?? 0, showTotal: (n) => t('common.total', { n }), onChange: (p) => { const next = new URLSearchParams(params); next.set('page', String(p)); setParams(next); } }}
          columns={[
            { title: t('common.name'), dataIndex: 'name', render: (n: string, r) => <Link to={`/tasks/${r.id}`}>{n}</Link> },
            { title: t('tasks.state'), dataIndex: 'state', render: (s: string) => <StateTag state={s} /> },
            { title: t('tasks.trigger'), dataIndex: 'triggerType', render: (s: string) => (s ? t(`trigger.${s}` as MessageKey) : '') },
            { title: t('tasks.type'), dataIndex: 'taskType', render: (s: string) => (s ? <Tag>{t(`taskType.${s}` as MessageKey)}</Tag> : '') },
            { title: t('tasks.group'), dataIndex: 'groupId', render: (id?: string) => groups.data?.find((g) => g.id === id)?.name ?? '' },
            { title: t('tasks.activity'), dataIndex: 'activityId', render: (id?: string) => activities.data?.find((a) => a.id === id)?.name ?? '' },
            { title: t('tasks.progress'), render: (_, r) => (r.state === 'running' ? <RunProgress id={r.id} /> : null) },
            { title: t('common.createdAt'), dataIndex: 'createdAt', render: (v?: string) => formatInZone(v ? (/^\d+$/.test(v) ? Number(v) : v) : null, timezone) },
          ]}
        />
      </LoadState>
    </Card>
  );
}
