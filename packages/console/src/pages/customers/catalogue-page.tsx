import { Card, Table, Tabs, Tag } from 'antd';
import { api } from '../../api/client';
import { useSession } from '../../auth/session';
import { useT } from '../../i18n/i18n';
import { formatInZone } from '../../lib/time';
import { useLoad } from '../../lib/use-load';
import { LoadState } from '../../components/page-state';

export interface CatalogueData {
  events: { name: string; firstSeen?: string; lastSeen?: string; properties: { name: string; type: string }[] }[];
  attributes: { name: string; type: string }[];
  tags: { name: string; type: string }[];
}

export const loadCatalogue = () => api.get<CatalogueData>('/api/v1/catalogue');

export function CataloguePage() {
  const t = useT();
  const { timezone } = useSession();
  const cat = useLoad(loadCatalogue, []);
  const typed = [
    { title: t('common.name'), dataIndex: 'name' },
    { title: t('common.type'), dataIndex: 'type', render: (v: string) => <Tag>{v}</Tag> },
  ];
  return (
    <Card title={t('catalogue.title')}>
      <LoadState loading={cat.loading} error={cat.error}>
        <Tabs
          items={[
            {
              key: 'events',
              label: `${t('catalogue.events')} (${cat.data?.events.length ?? 0})`,
              children: (
                <Table
                  rowKey="name"
                  dataSource={cat.data?.events ?? []}
                  pagination={{ pageSize: 20 }}
                  columns={[
                    { title: t('common.name'), dataIndex: 'name' },
                    { title: t('catalogue.property'), dataIndex: 'properties', render: (ps: { name: string; type: string }[]) => ps.map((p) => <Tag key={p.name}>{p.name}: {p.type}</Tag>) },
                    { title: t('catalogue.firstSeen'), dataIndex: 'firstSeen', render: (v: string) => formatInZone(v, timezone) },
                    { title: t('catalogue.lastSeen'), dataIndex: 'lastSeen', render: (v: string) => formatInZone(v, timezone) },
                  ]}
                />
              ),
            },
            { key: 'attributes', label: `${t('catalogue.attributes')} (${cat.data?.attributes.length ?? 0})`, children: <Table rowKey="name" dataSource={cat.data?.attributes ?? []} pagination={{ pageSize: 20 }} columns={typed} /> },
            { key: 'tags', label: `${t('catalogue.tags')} (${cat.data?.tags.length ?? 0})`, children: <Table rowKey="name" dataSource={cat.data?.tags ?? []} pagination={{ pageSize: 20 }} columns={typed} /> },
          ]}
        />
      </LoadState>
    </Card>
  );
}
