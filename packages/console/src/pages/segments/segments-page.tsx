import { App, Button, Card, Empty, Input, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, asPage } from '../../api/client';
import { useSession } from '../../auth/session';
import { LoadState } from '../../components/page-state';
import { useT } from '../../i18n/i18n';
import type { MessageKey } from '../../i18n/messages';
import { errorText } from '../../lib/errors';
import { formatInZone } from '../../lib/time';
import { useLoad } from '../../lib/use-load';

export interface SegmentRow {
  id: string;
  name: string;
  kind?: string;
  refreshMode?: string;
  refresh?: { mode: string; time: string | null };
  memberCount?: number;
  refreshedAt?: string | number | null;
  visible?: boolean;
}

export function SegmentsPage() {
  const t = useT();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const { can, timezone } = useSession();
  const [q, setQ] = useState('');
  const [page, setPage] = useState(1);
  const [refreshing, setRefreshing] = useState<string>();
  const list = useLoad(async () => asPage<SegmentRow>(await api.get<unknown>('/api/v1/segments', { q, limit: 20, offset: (page - 1) * 20 })), [q, page]);
  const refresh = async (s: SegmentRow) => {
    setRefreshing(s.id);
    try {
      await api.post(`/api/v1/segments/${s.id}/refresh`);
      message.success(t('segments.refreshStarted'));
      list.reload();
    } catch (e) {
      message.error(errorText(e, t));
    } finally {
      setRefreshing(undefined);
    }
  };
  return (
    <Card title={t('segments.title')} extra={can('segment.edit') && <Button type="primary" onClick={() => navigate('/segments/new')}>{t('segments.new')}</Button>}>
      <Input.Search allowClear placeholder={t('segments.search')} aria-label={t('segments.search')} onSearch={(v) => { setPage(1); setQ(v.trim()); }} style={{ width: 280, marginBottom: 16 }} />
      <LoadState loading={list.loading} error={list.error}>
        <Table<SegmentRow>
          rowKey="id"
          dataSource={list.data?.items ?? []}
          locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={q ? t('segments.noMatch', { q }) : t('segments.empty')} /> }}
          pagination={{ current: page, pageSize: 20, total: list.data?.total ?? 0, onChange: setPage, showTotal: (n) => t('common.total', { n }) }}
          columns={[
            { title: t('common.name'), dataIndex: 'name', render: (n: string, s) => <Link to={`/segments/${s.id}`}>{n}</Link> },
            { title: t('segments.kind'), dataIndex: 'kind', render: (k?: string) => (k ? <Tag>{t(`segments.kind.${k}` as MessageKey)}</Tag> : '') },
            { title: t('segments.refreshMode'), render: (_, s) => { const m = s.refresh?.mode ?? s.refreshMode; return m && s.kind === 'rule' ? `${t(`segments.refresh.${m}` as MessageKey)}${s.refresh?.time ? ` ${s.refresh.time}` : ''}` : ''; } },
            { title: t('segments.members'), dataIndex: 'memberCount' },
            { title: t('segments.refreshedAt'), dataIndex: 'refreshedAt', render: (v: string | number | null | undefined) => formatInZone(v ?? null, timezone) },
            { title: t('common.actions'), render: (_, s) => <Space>{can('segment.edit') && s.kind === 'rule' && <Button size="small" loading={refreshing === s.id} onClick={() => void refresh(s)}>{t('segments.refreshNow')}</Button>}</Space> },
          ]}
        />
      </LoadState>
    </Card>
  );
}
