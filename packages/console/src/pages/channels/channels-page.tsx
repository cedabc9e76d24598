import { Alert, App, Button, Card, Descriptions, Form, Input, InputNumber, Modal, Select, Space, Table, Tag, Typography } from 'antd';
import { useState, type CSSProperties } from 'react';
import { api } from '../../api/client';
import { DEFAULT_TIER, listChannels, MESSAGING_TIERS, type Channel, type MessagingTier, type PhoneNumber } from '../../api/channels';
import { useSession } from '../../auth/session';
import { LoadState } from '../../components/page-state';
import { useT, type TFunction } from '../../i18n/i18n';
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

/** A tier in words; one the console does not know is shown as the server wrote it. */
function tierLabel(t: TFunction, tier: string): string {
  return (MESSAGING_TIERS as readonly string[]).includes(tier) ? t(`channels.tier.${tier as MessagingTier}`) : tier;
}

/** One phone number in the form. A PATCH replaces the whole list, so every stored field is in the form. */
interface NumberRow {
  phoneNumberId?: string;
  displayNumber?: string;
  throughput?: number | null;
  tier?: string;
}

/** The server's defaults, shown rather than applied unseen. */
const NEW_NUMBER: NumberRow = { throughput: 80, tier: DEFAULT_TIER };

/** One grid for the column names and every number row (rows are `display: contents`), so each field stays under its name. */
const NUMBER_GRID: CSSProperties = { display: 'grid', gridTemplateColumns: 'minmax(0, 1.2fr) minmax(0, 1.1fr) 136px minmax(0, 1.5fr) auto', gap: 8, alignItems: 'start', marginBottom: 8 };

/** The channel view says only whether each secret is stored; the values never come back. */
const SECRETS = [['hasAccessToken', 'channels.accessToken'], ['hasAppSecret', 'channels.appSecret'], ['hasVerifyToken', 'channels.verifyToken']] as const;

/** What the form shows for a channel: every stored field of each number, so a save sends them back. */
function formValues(c: Channel): Record<string, unknown> {
  const numbers: NumberRow[] = c.phoneNumbers.map((n) => ({
    phoneNumberId: n.phoneNumberId,
    displayNumber: n.display,
    ...(typeof n.throughput === 'number' ? { throughput: n.throughput } : {}),
    ...(n.tier ? { tier: n.tier } : {}),
  }));
  return { name: c.name, wabaId: c.wabaId, baseUrl: c.graphBaseUrl, apiVersion: c.graphVersion, phoneNumbers: numbers };
}

/**
 * The add or edit dialog, mounted for one opening: its form starts from `initialValues` and is never
 * called before it exists (a reset before the modal's form mounted made antd warn).
 */
function ChannelDialog({ editing, onClose, onSaved }: { editing: Channel | 'new'; onClose(): void; onSaved(): void }) {
  const t = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  // A new channel has no stored secret to keep.
  const secretHelp = editing === 'new' ? t('channels.secretHelpNew') : t('channels.secretHelp');
  const save = async (v: Record<string, unknown>) => {
    const given = (o: object) => Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined && x !== null && x !== ''));
    const body = { ...given(v), ...(Array.isArray(v.phoneNumbers) ? { phoneNumbers: (v.phoneNumbers as NumberRow[]).map(given) } : {}) };
    setBusy(true);
    try {
      if (editing === 'new') await api.post('/api/v1/channels/whatsapp', body);
      else await api.patch(`/api/v1/channels/whatsapp/${editing.id}`, body);
      message.success(t('common.saved'));
      onSaved();
    } catch (e) {
      applyFieldErrors(form, e);
      message.error(errorText(e, t));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open title={editing === 'new' ? t('channels.add') : t('common.edit')} onCancel={onClose} onOk={() => form.submit()} confirmLoading={busy} width={880}>
      <Form form={form} layout="vertical" onFinish={save} initialValues={editing === 'new' ? { phoneNumbers: [NEW_NUMBER] } : formValues(editing)}>
        <Form.Item name="name" label={t('channels.name')} rules={[{ required: true }]}><Input /></Form.Item>
        <Form.Item name="wabaId" label={t('channels.wabaId')} rules={[{ required: true }]}><Input /></Form.Item>
        <Form.Item name="accessToken" label={t('channels.accessToken')} extra={secretHelp} rules={editing === 'new' ? [{ required: true }] : []}><Input.Password autoComplete="off" /></Form.Item>
        <Form.Item name="appSecret" label={t('channels.appSecret')} extra={secretHelp} rules={editing === 'new' ? [{ required: true }] : []}><Input.Password autoComplete="off" /></Form.Item>
        <Form.Item name="verifyToken" label={t('channels.verifyToken')} extra={editing === 'new' ? t('channels.verifyTokenHelpNew') : t('channels.secretHelp')}><Input.Password autoComplete="off" /></Form.Item>
        <Form.Item name="baseUrl" label={t('channels.graphBaseUrl')}><Input placeholder="https://graph.facebook.com" /></Form.Item>
        <Form.Item name="apiVersion" label={t('channels.graphVersion')}><Input placeholder="v23.0" /></Form.Item>
        <Form.Item label={t('channels.numbers')} required extra={t('channels.tierHelp')}>
          <Form.List name="phoneNumbers">
            {(fields, { add, remove }) => (
              <>
                <div style={NUMBER_GRID}>
                  {(['channels.phoneNumberId', 'channels.displayNumber', 'channels.throughput', 'channels.tier'] as const).map((k) => <Typography.Text key={k} type="secondary" aria-hidden>{t(k)}</Typography.Text>)}
                  <span />
                  {fields.map((f) => (
                    <div key={f.key} style={{ display: 'contents' }} data-testid="channel-number">
                      <Form.Item name={[f.name, 'phoneNumberId']} rules={[{ required: true }]} style={{ marginBottom: 0 }}><Input placeholder="1234567890" aria-label={t('channels.phoneNumberId')} /></Form.Item>
                      <Form.Item name={[f.name, 'displayNumber']} rules={[{ required: true }]} style={{ marginBottom: 0 }}><Input placeholder="+1 555 000 0000" aria-label={t('channels.displayNumber')} /></Form.Item>
                      <Form.Item name={[f.name, 'throughput']} style={{ marginBottom: 0 }}><InputNumber min={1} max={10000} precision={0} suffix={t('channels.perSecondUnit')} aria-label={t('channels.throughput')} style={{ width: '100%' }} /></Form.Item>
                      <Form.Item name={[f.name, 'tier']} style={{ marginBottom: 0 }}><Select aria-label={t('channels.tier')} options={MESSAGING_TIERS.map((tier) => ({ value: tier, label: tierLabel(t, tier) }))} /></Form.Item>
                      <Button onClick={() => remove(f.name)} disabled={fields.length === 1}>{t('common.remove')}</Button>
                    </div>
                  ))}
                </div>
                <Button type="dashed" block onClick={() => add({ ...NEW_NUMBER })}>{t('common.add')}</Button>
              </>
            )}
          </Form.List>
        </Form.Item>
      </Form>
    </Modal>
  );
}

export function ChannelsPage() {
  const t = useT();
  const { message } = App.useApp();
  const { can } = useSession();
  const list = useLoad(listChannels, []);
  const [editing, setEditing] = useState<Channel | 'new' | null>(null);
  const [busy, setBusy] = useState<string>();
  const [checks, setChecks] = useState<Record<string, CheckResult>>({});
  const manage = can('channel.manage');
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
    <Card title={t('channels.title')} extra={manage && <Button type="primary" onClick={() => setEditing('new')}>{t('channels.add')}</Button>}>
      <LoadState loading={list.loading} error={list.error}>
        <Space orientation="vertical" style={{ width: '100%' }} size="middle">
          {(list.data ?? []).map((c) => (
            <Card key={c.id} size="small" data-testid="channel" title={`${c.name} · WABA ${c.wabaId}`} extra={
              <Space>
                {manage && <Button size="small" loading={busy === `${c.id}check`} onClick={() => void check(c)}>{t('channels.check')}</Button>}
                {manage && <Button size="small" onClick={() => setEditing(c)}>{t('common.edit')}</Button>}
              </Space>
            }>
              {checks[c.id] && <CheckAnswer result={checks[c.id]!} onClose={() => setChecks(({ [c.id]: _, ...rest }) => rest)} />}
              <Descriptions size="small" column={{ xs: 1, lg: 2 }} items={[
                { key: 'url', label: t('channels.graphBaseUrl'), children: c.graphBaseUrl ?? '' },
                { key: 'v', label: t('channels.graphVersion'), children: c.graphVersion ?? '' },
                { key: 'secrets', label: t('channels.secrets'), span: 'filled', children: <Space size={4} wrap>{SECRETS.map(([flag, label]) => <Tag key={flag} color={c.raw[flag] ? 'green' : 'default'}>{t(label)}: {c.raw[flag] ? t('channels.secretSet') : t('channels.secretMissing')}</Tag>)}</Space> },
                { key: 'wh', label: t('channels.webhookUrl'), span: 'filled', children: <Typography.Text copyable>{`${location.origin}/webhooks/whatsapp/${c.id}`}</Typography.Text> },
              ]} />
              <Table<PhoneNumber> style={{ marginTop: 8 }} size="small" rowKey="phoneNumberId" pagination={false} dataSource={c.phoneNumbers} columns={[
                { title: t('channels.displayNumber'), dataIndex: 'display' },
                { title: t('channels.phoneNumberId'), dataIndex: 'phoneNumberId' },
                { title: t('channels.throughput'), dataIndex: 'throughput', render: (n: PhoneNumber['throughput']) => (n === undefined || n === '' ? '' : `${n} ${t('channels.perSecondUnit')}`) },
                { title: t('channels.tier'), dataIndex: 'tier', render: (tier: string | undefined) => tier && <Tag title={tier} data-testid="channel-tier">{tierLabel(t, tier)}</Tag> },
              ]} />
            </Card>
          ))}
        </Space>
      </LoadState>
      {editing !== null && (
        <ChannelDialog
          key={editing === 'new' ? 'new' : editing.id}
          editing={editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            // An earlier check answered for the old settings.
            if (editing !== 'new') setChecks(({ [editing.id]: _, ...rest }) => rest);
            setEditing(null);
            list.reload();
          }}
        />
      )}
    </Card>
  );
}
