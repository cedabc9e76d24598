import { Alert, App, Button, Card, Descriptions, Form, Input, InputNumber, Modal, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { api } from '../../api/client';
import { listChannels, type Channel, type PhoneNumber } from '../../api/channels';
import { useSession } from '../../auth/session';
import { LoadState } from '../../components/page-state';
import { useT } from '../../i18n/i18n';
import { applyFieldErrors, errorText } from '../../lib/errors';
import { useLoad } from '../../lib/use-load';

/** The answer of `POST …/check`: each phone number as read through the Graph API, or WhatsApp's refusal. */
interface CheckResult {
  ok: boolean;
  phoneNumbers: ({ phoneNumberId: string; ok: true; displayPhoneNumber: string | null; verifiedName: string | null; qualityRating: string | null } | { phoneNumberId: string; ok: false; error: { code: number | null; title: string; message: string } })[];
}

/** What WhatsApp answered for each number, so a failing check says which number and why. */
function CheckAnswer({ result, onClose }: { result: CheckResult; onClose(): void }) {
  const t = useT();
  return (
    <Alert
      data-testid="check-result"
      style={{ marginBottom: 12 }}
      type={result.ok ? 'success' : 'error'}
      showIcon
      closable={{ onClose }}
      title={result.ok ? t('channels.checkOk') : t('channels.checkFailed')}
      description={
        <ul style={{ margin: 0, paddingInlineStart: 18 }}>
          {result.phoneNumbers.map((p) => (
            <li key={p.phoneNumberId}>
              {p.ok
                ? `${p.phoneNumberId}: ${[p.displayPhoneNumber, p.verifiedName, p.qualityRating && t('channels.quality', { rating: p.qualityRating })].filter(Boolean).join(' · ')}`
                : `${p.phoneNumberId}: ${p.error.code !== null ? `(#${p.error.code}) ` : ''}${p.error.title}${p.error.message && !p.error.title.includes(p.error.message) ? ` — ${p.error.message}` : ''}`}
            </li>
          ))}
        </ul>
      }
    />
  );
}

/** The channel view says only whether each secret is stored; the values never come back. */
const SECRETS = [['hasAccessToken', 'channels.accessToken'], ['hasAppSecret', 'channels.appSecret'], ['hasVerifyToken', 'channels.verifyToken']] as const;

export function ChannelsPage() {
  const t = useT();
  const { message } = App.useApp();
  const { can } = useSession();
  const list = useLoad(listChannels, []);
  const [editing, setEditing] = useState<Channel | 'new' | null>(null);
  const [form] = Form.useForm();
  const [busy, setBusy] = useState<string>();
  const [checks, setChecks] = useState<Record<string, CheckResult>>({});
  const manage = can('channel.manage');
  const save = async (v: Record<string, unknown>) => {
    const body = Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined && x !== ''));
    setBusy('save');
    try {
      if (editing === 'new') await api.post('/api/v1/channels/whatsapp', body);
      else if (editing) {
        await api.patch(`/api/v1/channels/whatsapp/${editing.id}`, body);
        // An earlier check answered for the old settings.
        setChecks(({ [editing.id]: _, ...rest }) => rest);
      }
      message.success(t('common.saved'));
      setEditing(null);
      list.reload();
    } catch (e) {
      applyFieldErrors(form, e);
      message.error(errorText(e, t));
    } finally {
      setBusy(undefined);
    }
  };
  const check = async (c: Channel) => {
    setBusy(`${c.id}check`);
    try {
      const r = await api.post<CheckResult>(`/api/v1/channels/whatsapp/${c.id}/check`);
      setChecks((all) => ({ ...all, [c.id]: r }));
    } catch (e) {
      message.error(errorText(e, t));
    } finally {
      setBusy(undefined);
    }
  };
  return (
    <Card title={t('channels.title')} extra={manage && <Button type="primary" onClick={() => { form.resetFields(); setEditing('new'); }}>{t('channels.add')}</Button>}>
      <LoadState loading={list.loading} error={list.error}>
        <Space orientation="vertical" style={{ width: '100%' }} size="middle">
          {(list.data ?? []).map((c) => (
            <Card key={c.id} size="small" data-testid="channel" title={`${c.name} · WABA ${c.wabaId}`} extra={
              <Space>
                {manage && <Button size="small" loading={busy === `${c.id}check`} onClick={() => void check(c)}>{t('channels.check')}</Button>}
                {manage && <Button size="small" onClick={() => { form.resetFields(); form.setFieldsValue({ name: c.name, wabaId: c.wabaId, baseUrl: c.graphBaseUrl, apiVersion: c.graphVersion, phoneNumbers: c.phoneNumbers.map((n) => ({ phoneNumberId: n.phoneNumberId, displayNumber: n.display, throughput: typeof n.throughput === 'number' ? n.throughput : undefined })) }); setEditing(c); }}>{t('common.edit')}</Button>}
              </Space>
            }>
              {checks[c.id] && <CheckAnswer result={checks[c.id]!} onClose={() => setChecks(({ [c.id]: _, ...rest }) => rest)} />}
              <Descriptions size="small" column={{ xs: 1, lg: 2 }} items={[
                { key: 'url', label: t('channels.graphBaseUrl'), children: c.graphBaseUrl ?? '' },
                { key: 'v', label: t('channels.graphVersion'), children: c.graphVersion ?? '' },
                { key: 'secrets', label: t('channels.secrets'), span: 'filled', children: <Space size={4} wrap>{SECRETS.map(([flag, label]) => <Tag key={flag} color={c.raw[flag] ? 'green' : 'default'}>{t(label)}: {c.raw[flag] ? t('channels.secretSet') : t('channels.secretMissing')}</Tag>)}</Space> },
                { key: 'wh', label: t('channels.webhookUrl'), span: 'filled', children: <Typography.Text copyable>{`${location.origin}/webhooks/whatsapp/${c.id}`}</Typography.Text> },
              ]} />
              <Table<PhoneNumber> size="small" rowKey="phoneNumberId" pagination={false} dataSource={c.phoneNumbers} columns={[
                { title: t('channels.displayNumber'), dataIndex: 'display' },
                { title: t('channels.phoneNumberId'), dataIndex: 'phoneNumberId' },
                { title: t('channels.throughput'), dataIndex: 'throughput' },
              ]} />
            </Card>
          ))}
        </Space>
      </LoadState>
      <Modal open={editing !== null} title={editing === 'new' ? t('channels.add') : t('common.edit')} onCancel={() => setEditing(null)} onOk={() => form.submit()} confirmLoading={busy === 'save'} width={680} destroyOnHidden>
        <Form form={form} layout="vertical" onFinish={save}>
          <Form.Item name="name" label={t('channels.name')} rules={[{ required: true }]}><Input /></Form.Item>
          <Form.Item name="wabaId" label={t('channels.wabaId')} rules={[{ required: true }]}><Input /></Form.Item>
          <Form.Item name="accessToken" label={t('channels.accessToken')} extra={t('channels.secretHelp')} rules={editing === 'new' ? [{ required: true }] : []}><Input.Password autoComplete="off" /></Form.Item>
          <Form.Item name="appSecret" label={t('channels.appSecret')} extra={t('channels.secretHelp')} rules={editing === 'new' ? [{ required: true }] : []}><Input.Password autoComplete="off" /></Form.Item>
          <Form.Item name="verifyToken" label={t('channels.verifyToken')} extra={t('channels.secretHelp')}><Input.Password autoComplete="off" /></Form.Item>
          <Form.Item name="baseUrl" label={t('channels.graphBaseUrl')}><Input placeholder="https://graph.facebook.com" /></Form.Item>
          <Form.Item name="apiVersion" label={t('channels.graphVersion')}><Input placeholder="v23.0" /></Form.Item>
          <Form.Item label={t('channels.numbers')} required>
            <Form.List name="phoneNumbers" initialValue={[{}]}>
              {(fields, { add, remove }) => (
                <Space orientation="vertical" style={{ width: '100%' }}>
                  {fields.map((f) => (
                    <Space key={f.key} align="start" wrap>
                      <Form.Item name={[f.name, 'phoneNumberId']} rules={[{ required: true }]} noStyle><Input placeholder={t('channels.phoneNumberId')} aria-label={t('channels.phoneNumberId')} style={{ width: 190 }} /></Form.Item>
                      <Form.Item name={[f.name, 'displayNumber']} rules={[{ required: true }]} noStyle><Input placeholder={t('channels.displayNumber')} aria-label={t('channels.displayNumber')} style={{ width: 170 }} /></Form.Item>
                      <Form.Item name={[f.name, 'throughput']} noStyle><InputNumber min={1} max={10000} placeholder={t('channels.throughput')} aria-label={t('channels.throughput')} style={{ width: 120 }} /></Form.Item>
                      <Button onClick={() => remove(f.name)} disabled={fields.length === 1}>{t('common.remove')}</Button>
                    </Space>
                  ))}
                  <Button type="dashed" onClick={() => add({})}>{t('common.add')}</Button>
                </Space>
              )}
            </Form.List>
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
