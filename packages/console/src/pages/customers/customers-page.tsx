import { Card, Input, Table } from 'antd';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, type Page } from '../../api/client';
import { useSession } from '../../auth/session';
import { useT } from '../../i18n/i18n';
import { formatInZone } from '../../lib/time';
import { useLoad } from '../../lib/use-load';
import { LoadState } from '../../components/page-state';

interface ProfileRow {
  id: string;
  subjectType: string;
  timezone: string | null;
  phone: string | null;
  updatedAt: string;
}

export function CustomersPage() {
  const t = useT();
  const { timezone } = useSession();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const page = Number(params.get('page') ?? '1');
  const [pageSize, setPageSize] = useState(20);
  const list = useLoad(() => api.get<Page<ProfileRow>>('/api/v1/users', { q, limit: pageSize, offset: (page - 1) * pageSize }), [q, page, pageSize]);
  return (
    <Card title={t('customers.title')}>
      <Input.Search
        defaultValue={q}
        placeholder={t('customers.searchPlaceholder')}
        aria-label={t('common.search')}
        allowClear
        enterButton={t('common.search')}
        style={{ maxWidth: 480, marginBottom: 16 }}
        onSearch={(v) => setParams({ q: v.trim(), page: '1' })}
      />
      <LoadState loading={list.loading} error={list.error}>
        <Table<ProfileRow>
          rowKey="id"
          dataSource={list.data?.items ?? []}
          pagination={{ current: page, pageSize, total: list.data?.total ?? 0, showTotal: (n) => t('common.total', { n }), onChange: (p, s) => { setPageSize(s); setParams({ q, page: String(p) }); } }}
          columns={[
            { title: t('customers.oneId'), dataIndex: 'id', render: (id: string) => <Link to={`/customers/${encodeURIComponent(id)}`}>{id}</Link> },
            { title: t('customers.phone'), dataIndex: 'phone' },
            { title: t('customers.subjectType'), dataIndex: 'subjectType' },
            { title: t('customers.timezone'), dataIndex: 'timezone' },
            { title: t('common.updatedAt'), dataIndex: 'updatedAt', render: (v: string) => formatInZone(v, timezone) },
          ]}
        />
      </LoadState>
    </Card>
  );
}
