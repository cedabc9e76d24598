import { App, Button, Card, Col, Descriptions, Empty, Input, Row, Space, Table, Tag, Timeline, Typography } from 'antd';
import { useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { api } from '../../api/client';
import { useSession } from '../../auth/session';
import { useT } from '../../i18n/i18n';
import { errorText } from '../../lib/errors';
import { formatInZone } from '../../lib/time';
import { useLoad } from '../../lib/use-load';
import { LoadState } from '../../components/page-state';

interface Profile {
  id: string;
  subjectType: string;
  timezone: string | null;
  identities: { type: string; value: string }[];
  attributes: Record<string, unknown>;
  tags: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

interface TimelineEvent {
  id: string | number;
  name: string;
  time: string;
  properties: Record<string, unknown>;
}

const show = (v: unknown) => (Array.isArray(v) ? v.map((x) => <Tag key={String(x)}>{String(x)}</Tag>) : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));

function EventTimeline({ id }: { id: string }) {
  const t = useT();
  const { timezone } = useSession();
  const [name, setName] = useState('');
  const { message } = App.useApp();
  const [older, setOlder] = useState<TimelineEvent[]>([]);
  const [loadingMore, setLoadingMore] = useState(false);
  /** Whether the last page came back short: there is nothing older to load. */
  const [atEnd, setAtEnd] = useState(false);
  const first = useLoad(() => api.get<TimelineEvent[]>(`/api/v1/users/${encodeURIComponent(id)}/events`, { limit: 50, name }), [id, name]);
  const events = [...(first.data ?? []), ...older];
  const more = async () => {
    const last = events[events.length - 1];
    if (!last) return;
    setLoadingMore(true);
    try {
      const next = await api.get<TimelineEvent[]>(`/api/v1/users/${encodeURIComponent(id)}/events`, { limit: 50, name, before: last.time });
      setOlder((o) => [...o, ...next]);
      setAtEnd(next.length < 50);
    } catch (e) {
      message.error(errorText(e, t));
    } finally {
      setLoadingMore(false);
    }
  };
  return (
    <Card title={t('customers.timeline')} extra={<Input.Search allowClear placeholder={t('customers.filterEvent')} aria-label={t('customers.filterEvent')} onSearch={(v) => { setOlder([]); setAtEnd(false); setName(v.trim()); }} style={{ width: 240 }} />}>
      <LoadState loading={first.loading} error={first.error}>
        {events.length === 0 ? (
          <Empty description={t('customers.noEvents')} />
        ) : (
          <>
            <Timeline
              items={events.map((e) => ({
                key: String(e.id),
                content: (
                  <div>
                    <Typography.Text strong>{e.name}</Typography.Text> <Typography.Text type="secondary">{formatInZone(e.time, timezone, true)}</Typography.Text>
                    {Object.keys(e.properties).length > 0 && (
                      <div style={{ fontSize: 12, color: '#666' }}>
                        {Object.entries(e.properties).map(([k, v]) => (
                          <span key={k} style={{ marginRight: 12 }}>{k}: <code>{JSON.stringify(v)}</code></span>
                        ))}
                      </div>
                    )}
                  </div>
                ),
              }))}
            />
            {(first.data?.length ?? 0) >= 50 && !atEnd && <Button loading={loadingMore} onClick={() => void more()}>{t('customers.loadMore')}</Button>}
          </>
        )}
      </LoadState>
    </Card>
  );
}

export function CustomerDetailPage() {
  const t = useT();
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const { timezone } = useSession();
  const profile = useLoad(() => api.get<Profile>(`/api/v1/users/${encodeURIComponent(id)}`), [id]);
  const p = profile.data;
  const kv = (o: Record<string, unknown>) => Object.entries(o).map(([k, v]) => ({ key: k, name: k, value: v }));
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Button onClick={() => navigate('/customers')}>{t('common.back')}</Button>
      <LoadState loading={profile.loading} error={profile.error}>
        {p && (
          <Row gutter={[16, 16]}>
            <Col xs={24} xl={10}>
              <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
                <Card title={p.id}>
                  <Descriptions column={1} size="small" items={[
                    { key: 's', label: t('customers.subjectType'), children: p.subjectType },
                    { key: 'z', label: t('customers.timezone'), children: p.timezone ?? '—' },
                    { key: 'c', label: t('common.createdAt'), children: formatInZone(p.createdAt, timezone) },
                    { key: 'u', label: t('common.updatedAt'), children: formatInZone(p.updatedAt, timezone) },
                  ]} />
                </Card>
                <Card title={t('customers.identities')} size="small">
                  <Table size="small" rowKey={(r) => `${r.type}:${r.value}`} pagination={false} dataSource={p.identities} columns={[{ title: t('common.type'), dataIndex: 'type' }, { title: t('common.value'), dataIndex: 'value' }]} />
                </Card>
                <Card title={t('customers.attributes')} size="small">
                  <Table size="small" pagination={{ pageSize: 20, hideOnSinglePage: true }} dataSource={kv(p.attributes)} columns={[{ title: t('common.name'), dataIndex: 'name' }, { title: t('common.value'), dataIndex: 'value', render: show }]} />
                </Card>
                <Card title={t('customers.tags')} size="small">
                  <Table size="small" pagination={{ pageSize: 20, hideOnSinglePage: true }} dataSource={kv(p.tags)} columns={[{ title: t('common.name'), dataIndex: 'name' }, { title: t('common.value'), dataIndex: 'value', render: show }]} />
                </Card>
              </Space>
            </Col>
            <Col xs={24} xl={14}>
              <EventTimeline id={p.id} />
            </Col>
          </Row>
        )}
      </LoadState>
    </Space>
  );
}
