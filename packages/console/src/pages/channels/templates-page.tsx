import { App, Button, Card, Form, Input, Modal, Segmented, Select, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { api } from '../../api/client';
import { listChannels, listTemplates, type TemplateRow } from '../../api/channels';
import { useSession } from '../../auth/session';
import { LoadState } from '../../components/page-state';
import { useT } from '../../i18n/i18n';
import { applyFieldErrors, errorText } from '../../lib/errors';
import { useLoad } from '../../lib/use-load';

const STATUS_COLOR: Record<string, string> = { APPROVED: 'green', PENDING: 'gold', REJECTED: 'red', PAUSED: 'orange', DISABLED: 'default' };

interface TemplateForm {
  name: string;
  language: string;
  category: string;
  mode: 'form' | 'json';
  header?: string;
  body?: string;
  footer?: string;
  buttons?: string[];
  /** Review examples by `header.<variable>` / `body.<variable>`. */
  examples?: Record<string, string>;
  components?: string;
}

const varsOf = (text?: string) => [...new Set([...(text ?? '').matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]!))];

/**
 * The form's fields as Meta's components: a text header, the body, a footer and quick-reply buttons, with
 * the examples Meta's review needs; named variables ({{first_name}}) make the template NAMED.
 */
function toTemplate(v: TemplateForm): { parameterFormat?: 'NAMED'; components: Record<string, unknown>[] } {
  const header = v.header?.trim();
  const hv = varsOf(header);
  const bv = varsOf(v.body);
  const named = [...hv, ...bv].some((n) => !/^\d+$/.test(n));
  const ex = (part: string, n: string) => v.examples?.[`${part}.${n}`] ?? '';
  const headerExample = named ? { header_text_named_params: hv.map((n) => ({ param_name: n, example: ex('header', n) })) } : { header_text: hv.map((n) => ex('header', n)) };
  const bodyExample = named ? { body_text_named_params: bv.map((n) => ({ param_name: n, example: ex('body', n) })) } : { body_text: [bv.map((n) => ex('body', n))] };
  return {
    ...(named ? { parameterFormat: 'NAMED' as const } : {}),
    components: [
      ...(header ? [{ type: 'HEADER', format: 'TEXT', text: header, ...(hv.length ? { example: headerExample } : {}) }] : []),
      { type: 'BODY', text: v.body ?? '', ...(bv.length ? { example: bodyExample } : {}) },
      ...(v.footer?.trim() ? [{ type: 'FOOTER', text: v.footer.trim() }] : []),
      ...(v.buttons?.length ? [{ type: 'BUTTONS', buttons: v.buttons.map((text) => ({ type: 'QUICK_REPLY', text })) }] : []),
    ],
  };
}

/**
 * The create dialog, mounted for one opening so its form starts from `initialValues` and is never
 * called before it exists (a reset before the modal's form mounted made antd warn).
 */
function TemplateDialog({ channelId, onClose, onCreated }: { channelId: string; onClose(): void; onCreated(): void }) {
  const t = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const mode = Form.useWatch('mode', form) as TemplateForm['mode'] | undefined;
  const header = Form.useWatch('header', form) as string | undefined;
  const body = Form.useWatch('body', form) as string | undefined;
  // The JSON starts from what the form holds, so a URL button or a media header can be added to it.
  const onValuesChange = (changed: Partial<TemplateForm>) => {
    if (changed.mode === 'json') form.setFieldValue('components', JSON.stringify(toTemplate(form.getFieldsValue(true) as TemplateForm).components, null, 2));
  };
  const create = async (v: TemplateForm) => {
    let built: ReturnType<typeof toTemplate>;
    if (v.mode === 'json') {
      try {
        built = { components: JSON.parse(v.components ?? '') as Record<string, unknown>[] };
      } catch {
        form.setFields([{ name: 'components', errors: [t('templates.invalidJson')] }]);
        return;
      }
    } else {
      built = toTemplate(v);
    }
    try {
      await api.post(`/api/v1/channels/whatsapp/${channelId}/templates`, { name: v.name, language: v.language, category: v.category, ...built });
      message.success(t('templates.submitted'));
      onCreated();
    } catch (e) {
      applyFieldErrors(form, e);
      message.error(errorText(e, t));
    }
  };
  return (
    <Modal open title={t('templates.create')} onCancel={onClose} onOk={() => form.submit()} width={680}>
      <Form form={form} layout="vertical" onFinish={create} onValuesChange={onValuesChange} initialValues={{ language: 'en_US', category: 'MARKETING', mode: 'form' }}>
        <Form.Item name="name" label={t('common.name')} extra={t('templates.nameHelp')} rules={[{ required: true, pattern: /^[a-z0-9_]+$/, message: t('templates.nameHelp') }]}><Input placeholder="spring_sale" /></Form.Item>
        <Space>
          <Form.Item name="language" label={t('templates.language')} rules={[{ required: true }]}><Input /></Form.Item>
          <Form.Item name="category" label={t('templates.category')} rules={[{ required: true }]}>
            <Select style={{ width: 180 }} options={['MARKETING', 'UTILITY', 'AUTHENTICATION'].map((c) => ({ value: c, label: c }))} />
          </Form.Item>
        </Space>
        <Form.Item name="mode"><Segmented options={[{ value: 'form', label: t('templates.mode.form') }, { value: 'json', label: t('templates.mode.json') }]} /></Form.Item>
        {mode === 'json' ? (
          <Form.Item name="components" label={t('templates.components')} extra={t('templates.componentsHelp')} rules={[{ required: true }]}><Input.TextArea rows={10} style={{ fontFamily: 'monospace' }} /></Form.Item>
        ) : (
          <>
            <Form.Item name="header" label={t('templates.header')}><Input maxLength={60} showCount /></Form.Item>
            <Form.Item name="body" label={t('templates.body')} extra={t('templates.bodyHelp')} rules={[{ required: true }]}><Input.TextArea rows={4} maxLength={1024} /></Form.Item>
            {[...varsOf(header).map((n) => ['header', n] as const), ...varsOf(body).map((n) => ['body', n] as const)].map(([part, n]) => (
              <Form.Item key={`${part}.${n}`} name={['examples', `${part}.${n}`]} label={t(part === 'header' ? 'templates.headerExample' : 'templates.example', { var: `{{${n}}}` })} rules={[{ required: true, message: t('templates.exampleHelp') }]}>
                <Input />
              </Form.Item>
            ))}
            <Form.Item name="footer" label={t('templates.footer')}><Input maxLength={60} showCount /></Form.Item>
            <Form.Item name="buttons" label={t('templates.quickReplies')} extra={t('templates.quickRepliesHelp')}>
              <Select mode="tags" open={false} tokenSeparators={[',']} maxCount={10} aria-label={t('templates.quickReplies')} />
            </Form.Item>
          </>
        )}
      </Form>
    </Modal>
  );
}

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
  return (
    <Card
      title={t('templates.title')}
      extra={
        <Space>
          <Select id="templates-channel" style={{ width: 240 }} value={current} aria-label={t('templates.channel')} options={(channels.data ?? []).map((c) => ({ value: c.id, label: c.name }))} onChange={setChannelId} />
          {can('channel.manage') && <Button loading={busy} disabled={!current} onClick={() => void sync()}>{t('templates.sync')}</Button>}
          {can('channel.manage') && <Button type="primary" disabled={!current} onClick={() => setOpen(true)}>{t('templates.create')}</Button>}
        </Space>
      }
    >
      <LoadState loading={list.loading || channels.loading} error={list.error ?? channels.error}>
        <Table<TemplateRow>
          rowKey="id"
          dataSource={list.data ?? []}
          pagination={{ pageSize: 20 }}
          expandable={{ expandedRowRender: (r) => <pre style={{ fontSize: 12, margin: 0, whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>{JSON.stringify(r.components, null, 2)}</pre> }}
          columns={[
            { title: t('common.name'), dataIndex: 'name' },
            { title: t('templates.language'), dataIndex: 'language' },
            { title: t('templates.category'), dataIndex: 'category' },
            { title: t('common.status'), dataIndex: 'status', render: (s: string) => <Tag color={STATUS_COLOR[s.toUpperCase()] ?? 'default'}>{s}</Tag> },
            { title: t('templates.reason'), dataIndex: 'rejectedReason' },
          ]}
        />
      </LoadState>
      {open && current && (
        <TemplateDialog
          channelId={current}
          onClose={() => setOpen(false)}
          onCreated={() => {
            setOpen(false);
            list.reload();
          }}
        />
      )}
    </Card>
  );
}
