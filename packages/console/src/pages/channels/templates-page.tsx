import { App, Button, Card, Form, Input, Modal, Select, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { api } from '../../api/client';
import { listChannels, listTemplates, type TemplateRow } from '../../api/channels';
import { useSession } from '../../auth/session';
import { LoadState } from '../../components/page-state';
import { useT } from '../../i18n/i18n';
import { applyFieldErrors, errorText } from '../../lib/errors';
import { useLoad } from '../../lib/use-load';

const STATUS_COLOR: Record<string, string> = { APPROVED: 'green', PENDING: 'gold', REJECTED: 'red', PAUSED: 'orange', DISABLED: 'default' };

export function TemplatesPage() {
  const t = useT();
  const { message } = App.useApp();
  const { can } = useSession();
  const channels = useLoad(listChannels, []);
  const [channelId, setChannelId] = useState<string>();
  const current = channelId ?? channels.data?.[0]?.id;
  const list = useLoad(async () => (current ? listTemplates({ channelId: current }) : []), [current]);
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm();
  const sync = async () => {
    setBusy(true);
    try {
      await api.post(`/api/v1/channels/whatsapp/${current}/templates/sync`);
      message.success(t('templates.synced'));
      list.reload();
    } catch (e) {
      message.error(errorText(e, t));
    } finally {
      setBusy(false);
    }
  };
  const create = async (v: { name: string; language: string; category: string; components: string }) => {
    let components: unknown;
    try {
      components = JSON.parse(v.components);
    } catch {
      form.setFields([{ name: 'components', errors: [t('templates.invalidJson')] }]);
      return;
    }
    try {
      await api.post(`/api/v1/channels/whatsapp/${current}/templates`, { name: v.name, language: v.language, category: v.category, components });
      message.success(t('templates.submitted'));
      setOpen(false);
      list.reload();
    } catch (e) {
      applyFieldErrors(form, e);
      message.error(errorText(e, t));
    }
  };
  return (
    <Card
      title={t('templates.title')}
      extra={
        <Space>
          <Select style={{ width: 240 }} value={current} aria-label={t('templates.channel')} options={(channels.data ?? []).map((c) => ({ value: c.id, label: c.name }))} onChange={setChannelId} />
          {can('channel.manage') && <Button loading={busy} disabled={!current} onClick={() => void sync()}>{t('templates.sync')}</Button>}
          {can('channel.manage') && <Button type="primary" disabled={!current} onClick={() => { form.resetFields(); setOpen(true); }}>{t('templates.create')}</Button>}
        </Space>
      }
    >
      <LoadState loading={list.loading || channels.loading} error={list.error ?? channels.error}>
        <Table<TemplateRow>
          rowKey="id"
          dataSource={list.data ?? []}
          pagination={{ pageSize: 20 }}
          expandable={{ expandedRowRender: (r) => <pre style={{ fontSize: 12, margin: 0 }}>{JSON.stringify(r.components, null, 2)}</pre> }}
          columns={[
            { title: t('common.name'), dataIndex: 'name' },
            { title: t('templates.language'), dataIndex: 'language' },
            { title: t('templates.category'), dataIndex: 'category' },
            { title: t('common.status'), dataIndex: 'status', render: (s: string) => <Tag color={STATUS_COLOR[s.toUpperCase()] ?? 'default'}>{s}</Tag> },
            { title: t('templates.reason'), dataIndex: 'rejectedReason' },
          ]}
        />
      </LoadState>
      <Modal open={open} title={t('templates.create')} onCancel={() => setOpen(false)} onOk={() => form.submit()} width={680} destroyOnHidden>
        <Form form={form} layout="vertical" onFinish={create} initialValues={{ language: 'en_US', category: 'MARKETING', components: '[{"type":"BODY","text":"Hello {{1}}","example":{"body_text":[["Ann"]]}}]' }}>
          <Form.Item name="name" label={t('common.name')} rules={[{ required: true, pattern: /^[a-z0-9_]+$/ }]}><Input placeholder="spring_sale" /></Form.Item>
          <Space>
            <Form.Item name="language" label={t('templates.language')} rules={[{ required: true }]}><Input /></Form.Item>
            <Form.Item name="category" label={t('templates.category')} rules={[{ required: true }]}>
              <Select style={{ width: 180 }} options={['MARKETING', 'UTILITY', 'AUTHENTICATION'].map((c) => ({ value: c, label: c }))} />
            </Form.Item>
          </Space>
          <Form.Item name="components" label={t('templates.components')} extra={t('templates.componentsHelp')} rules={[{ required: true }]}><Input.TextArea rows={8} style={{ fontFamily: 'monospace' }} /></Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
