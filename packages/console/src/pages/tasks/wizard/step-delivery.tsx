import { UploadOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Col, Form, InputNumber, Radio, Row, Select, Space, Switch, Table, TimePicker, Tooltip, Typography, Upload } from 'antd';
import { toPreview, type MessageContent } from '@wareach/core';
import { useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../../api/client';
import type { Channel, TemplateRow } from '../../../api/channels';
import { useSession } from '../../../auth/session';
import { CsvColumns, CsvTemplateLink } from '../../../components/csv-columns';
import { PhoneFrame, PhoneMessage } from '../../../components/phone-preview';
import { useT } from '../../../i18n/i18n';
import type { MessageKey } from '../../../i18n/messages';
import { errorText } from '../../../lib/errors';
import { dayjs } from '../../../lib/time';
import { blankContent, ContentEditor } from './content-editor';
import { Field } from './field';
import type { StepProps } from './step-basic';
import { toRequestBody, type Obj } from './wizard-model';

interface CsvReport {
  accepted?: number;
  duplicates?: number;
  rejected?: number;
  refused?: number;
  errors?: { line: number; reason?: string; message?: string }[];
}

function CsvUpload({ values, set }: StepProps) {
  const t = useT();
  const { message } = App.useApp();
  const [report, setReport] = useState<CsvReport>();
  const [busy, setBusy] = useState(false);
  const upload = async (file: File) => {
    setBusy(true);
    try {
      let segmentId = values.audience.csvUploadId as string | undefined;
      if (!segmentId) {
        const seg = await api.post<{ id: string }>('/api/v1/segments', { name: `${String(values.basic.name || 'task')}-csv-${Date.now()}`, kind: 'csv', visibleInList: false });
        segmentId = seg.id;
      }
      const form = new FormData();
      form.append('file', file);
      const r = await api.post<CsvReport>(`/api/v1/segments/${segmentId}/csv`, form);
      setReport(r);
      set('audience.csvUploadId', segmentId);
    } catch (e) {
      message.error(errorText(e, t));
    } finally {
      setBusy(false);
    }
    return false;
  };
  return (
    <Card size="small" title={t('segments.csvUpload')} style={{ marginBottom: 16 }}>
      <CsvColumns />
      <Space size="large" wrap>
        <Upload accept=".csv,text/csv" showUploadList={false} beforeUpload={(f) => { void upload(f); return false; }}>
          <Button icon={<UploadOutlined />} loading={busy}>{t('segments.csvUpload')}</Button>
        </Upload>
        <CsvTemplateLink />
      </Space>
      {report && (
        <>
          <Alert style={{ marginTop: 8 }} type={report.refused || report.rejected ? 'warning' : 'success'} showIcon title={t('segments.csvResult', { accepted: report.accepted ?? 0, duplicates: report.duplicates ?? 0, rejected: report.refused ?? report.rejected ?? report.errors?.length ?? 0 })} />
          {!!report.errors?.length && <Table size="small" rowKey="line" dataSource={report.errors} pagination={report.errors.length > 10 ? { pageSize: 10 } : false} columns={[{ title: t('segments.line'), dataIndex: 'line' }, { title: t('segments.reason'), render: (_, r) => r.reason ?? r.message }]} />}
        </>
      )}
    </Card>
  );
}

/** One recipient of a test send as the API answers it: accepted by WhatsApp, or refused with its error. */
interface TestSendResult {
  id: string;
  recipient: string;
  state: string;
  error: { code: string; title: string } | null;
}

function TestSend({ values }: { values: StepProps['values'] }) {
  const t = useT();
  const { message } = App.useApp();
  const [to, setTo] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [results, setResults] = useState<TestSendResult[]>([]);
  const send = async () => {
    setBusy(true);
    setResults([]);
    try {
      const d = toRequestBody(values).delivery;
      const r = await api.post<{ items: TestSendResult[] }>('/api/v1/messages/test', { channelId: d.channelId, phoneNumberId: d.phoneNumberId, recipients: to, content: d.content });
      setResults(r.items);
      if (r.items.every((x) => x.state !== 'failed')) message.success(t('wizard.testSent'));
      else message.warning(t('testSend.someFailed'));
    } catch (e) {
      message.error(errorText(e, t));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card size="small" title={t('wizard.testSend')} style={{ marginTop: 16 }}>
      <Typography.Paragraph type="secondary">{t('wizard.testSendHelp')}</Typography.Paragraph>
      <Space.Compact style={{ width: '100%' }}>
        <Select mode="tags" open={false} tokenSeparators={[',', ' ']} style={{ width: '100%' }} value={to} onChange={setTo} placeholder="+8613800000000" aria-label={t('wizard.testTo')} />
        <Button onClick={() => void send()} loading={busy} disabled={to.length === 0 || !values.delivery.phoneNumberId}>{t('wizard.sendTest')}</Button>
      </Space.Compact>
      {results.length > 0 && (
        <ul data-testid="test-send-results" style={{ margin: '8px 0 0', paddingInlineStart: 18 }}>
          {results.map((r) => (
            <li key={r.id}>
              <Typography.Text type={r.state === 'failed' ? 'danger' : 'success'}>
                {r.recipient}: {r.state === 'failed' ? t('testSend.failed', { error: `${r.error?.code ?? ''} ${r.error?.title ?? ''}`.trim() }) : t('testSend.accepted')}
              </Typography.Text>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

export function StepDelivery(props: StepProps & { channels: Channel[]; templates: TemplateRow[] }) {
  const t = useT();
  const { settings, timezone } = useSession();
  const { values, set, errors, channels, templates } = props;
  const d = values.delivery;
  const channel = channels.find((c) => c.id === d.channelId);
  const content = (d.content as Obj | undefined) ?? blankContent('text');
  const dnd = d.dnd as Obj | undefined;
  const cap = d.taskCap as Obj | undefined;
  const once = values.trigger.type === 'scheduled_once';
  let preview: ReturnType<typeof toPreview> | undefined;
  try {
    preview = toPreview(toRequestBody({ basic: {}, audience: {}, trigger: {}, delivery: { content } }).delivery.content as unknown as MessageContent);
  } catch {
    preview = undefined;
  }
  const caps = [settings?.channelCap, settings?.crossChannelCap].map((c) => (c ? `${c.max} / ${t(`settings.period.${c.period}` as MessageKey)}` : t('common.none')));
  return (
    <Row gutter={24}>
      <Col xs={24} xl={15}>
        {values.audience.mode === 'csv' && <CsvUpload {...props} />}
        <Form layout="vertical" component="div">
          <Row gutter={16}>
            <Col xs={24} xxl={12}>
              <Field label={t('wizard.channelAccount')} path="delivery.channelId" errors={errors} required extra={channels.length === 0 ? t('wizard.noChannels') : t('wizard.channelChangeClears')}>
                <Select id="delivery.channelId" value={(d.channelId as string) || undefined} placeholder={t('wizard.pickChannel')} options={channels.map((c) => ({ value: c.id, label: `${c.name} (WABA ${c.wabaId})` }))} onChange={(id: string) => { set('delivery', { ...d, channelId: id, phoneNumberId: channels.find((c) => c.id === id)?.phoneNumbers[0]?.phoneNumberId ?? '', content: blankContent('text') }); }} />
              </Field>
            </Col>
            <Col xs={24} xxl={12}>
              <Field label={t('wizard.sender')} path="delivery.phoneNumberId" errors={errors} required>
                <Select id="delivery.phoneNumberId" value={(d.phoneNumberId as string) || undefined} placeholder={t('wizard.pickSender')} options={(channel?.phoneNumbers ?? []).map((n) => ({ value: n.phoneNumberId, label: `${n.display} (${n.phoneNumberId})` }))} onChange={(v) => set('delivery.phoneNumberId', v)} />
              </Field>
            </Col>
          </Row>
          <Field label={t('wizard.taskType')} path="delivery.taskType" errors={errors} required extra={t('wizard.taskTypeHelp')}>
            <Radio.Group value={d.taskType} onChange={(e) => set('delivery.taskType', e.target.value)} options={(['notification', 'urgent', 'normal'] as const).map((k) => ({ value: k, label: t(`taskType.${k}`) }))} />
          </Field>
        </Form>
        <Card size="small" title={t('wizard.content')} style={{ marginBottom: 16 }}>
          <ContentEditor content={content} set={set} errors={errors} templates={templates.filter((x) => !x.channelId || x.channelId === d.channelId)} />
        </Card>
        <Form layout="vertical" component="div">
          <Field label={t('wizard.dnd')} path="delivery.dnd" errors={errors}>
            <Space wrap>
              <Switch checked={!!dnd} aria-label={t('wizard.dnd')} onChange={(on) => set('delivery.dnd', on ? { start: settings?.doNotDisturb.start ?? '22:00', end: settings?.doNotDisturb.end ?? '08:00', action: settings?.doNotDisturb.action ?? 'defer' } : undefined)} />
              {dnd && (
                <>
                  <TimePicker.RangePicker format="HH:mm" order={false} value={[dayjs(dnd.start as string, 'HH:mm'), dayjs(dnd.end as string, 'HH:mm')]} onChange={(r) => r?.[0] && r[1] && set('delivery.dnd', { ...dnd, start: r[0].format('HH:mm'), end: r[1].format('HH:mm') })} />
                  <Select style={{ width: 300 }} aria-label={t('settings.dndAction')} value={dnd.action as string} options={[{ value: 'defer', label: t('settings.dnd.defer') }, { value: 'drop', label: t('settings.dnd.drop') }]} onChange={(a) => set('delivery.dnd.action', a)} />
                </>
              )}
            </Space>
            <Typography.Text type="secondary" style={{ display: 'block' }}>{t('wizard.dndHelp')}</Typography.Text>
          </Field>
          <Form.Item label={t('wizard.globalLimit')} extra={<>{t('wizard.capsInForce', { channel: caps[0] ?? '', cross: caps[1] ?? '' })} <Link to="/settings">{t('nav.settings')}</Link></>}>
            <Switch checked={d.globalLimit !== false} onChange={(v) => set('delivery.globalLimit', v)} aria-label={t('wizard.globalLimit')} />
          </Form.Item>
          <Field label={t('wizard.taskCap')} path="delivery.taskCap" errors={errors} extra={once ? t('wizard.taskCapNotOnce') : t('wizard.taskCapHelp')}>
            <Tooltip title={once ? t('wizard.taskCapNotOnce') : undefined}>
              <Space>
                <Switch disabled={once} checked={!!cap} aria-label={t('wizard.taskCap')} onChange={(on) => set('delivery.taskCap', on ? { max: 1, period: 'day' } : undefined)} />
                {cap && (
                  <>
                    <InputNumber min={1} max={10000} aria-label={t('settings.capMax')} value={cap.max as number} onChange={(n) => set('delivery.taskCap.max', n ?? undefined)} />
                    <Select style={{ width: 150 }} aria-label={t('settings.capPeriod')} value={cap.period as string} options={(['hour', 'day', 'week', 'lifetime'] as const).map((p) => ({ value: p, label: t(`settings.period.${p}`) }))} onChange={(p) => set('delivery.taskCap.period', p)} />
                  </>
                )}
              </Space>
            </Tooltip>
          </Field>
        </Form>
      </Col>
      <Col xs={24} xl={9}>
        <div style={{ position: 'sticky', top: 16 }}>
          <Typography.Title level={5}>{t('wizard.livePreview')}</Typography.Title>
          <PhoneFrame title={channel?.phoneNumbers.find((n) => n.phoneNumberId === d.phoneNumberId)?.display ?? 'WhatsApp'} height={520}>
            {preview && <PhoneMessage preview={preview} time={dayjs().tz(timezone).format('HH:mm')} />}
          </PhoneFrame>
          <TestSend values={values} />
        </div>
      </Col>
    </Row>
  );
}
