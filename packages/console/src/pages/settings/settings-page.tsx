import { App, Button, Card, Form, InputNumber, Select, Space, Spin, Switch, TimePicker, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { api } from '../../api/client';
import type { Cap, ProjectSettings } from '../../api/types';
import { useSession } from '../../auth/session';
import { useT } from '../../i18n/i18n';
import { applyFieldErrors, errorText } from '../../lib/errors';
import { dayjs } from '../../lib/time';
import type { Dayjs } from 'dayjs';

interface CapForm {
  on: boolean;
  max?: number;
  period?: Cap['period'];
}

interface FormValues {
  timezone: string;
  dndEnabled: boolean;
  dndRange: [Dayjs, Dayjs];
  dndAction: 'drop' | 'defer';
  channelCap: CapForm;
  crossChannelCap: CapForm;
  segmentRefreshLeadMinutes: number;
  allowSelfApproval: boolean;
  syncToSegmentListDefault: boolean;
}

const zones = (): string[] => {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  return intl.supportedValuesOf?.('timeZone') ?? ['Asia/Shanghai', 'UTC'];
};

const capIn = (c: Cap | null): CapForm => (c ? { on: true, max: c.max, period: c.period } : { on: false, max: 2, period: 'day' });
const capOut = (c: CapForm): Cap | null => (c.on && c.max && c.period ? { max: c.max, period: c.period } : null);

function CapFields({ name }: { name: 'channelCap' | 'crossChannelCap' }) {
  const t = useT();
  const on = Form.useWatch([name, 'on']);
  return (
    <Space wrap>
      <Form.Item name={[name, 'on']} valuePropName="checked" noStyle>
        <Switch aria-label={t('settings.capOn')} />
      </Form.Item>
      <span>{t('settings.capMax')}</span>
      <Form.Item name={[name, 'max']} noStyle>
        <InputNumber min={1} max={1000} disabled={!on} aria-label={t('settings.capMax')} />
      </Form.Item>
      <span>{t('settings.capPeriod')}</span>
      <Form.Item name={[name, 'period']} noStyle>
        <Select disabled={!on} style={{ width: 120 }} aria-label={t('settings.capPeriod')} options={(['hour', 'day', 'week'] as const).map((p) => ({ value: p, label: t(`settings.period.${p}`) }))} />
      </Form.Item>
    </Space>
  );
}

export function SettingsPage() {
  const t = useT();
  const { message } = App.useApp();
  const { settings, reloadSettings } = useSession();
  const [form] = Form.useForm<FormValues>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!settings) return;
    form.setFieldsValue({
      timezone: settings.timezone,
      dndEnabled: settings.doNotDisturb.enabled,
      dndRange: [dayjs(settings.doNotDisturb.start, 'HH:mm'), dayjs(settings.doNotDisturb.end, 'HH:mm')],
      dndAction: settings.doNotDisturb.action,
      channelCap: capIn(settings.channelCap),
      crossChannelCap: capIn(settings.crossChannelCap),
      segmentRefreshLeadMinutes: settings.segmentRefreshLeadMinutes,
      allowSelfApproval: settings.allowSelfApproval,
      syncToSegmentListDefault: settings.syncToSegmentListDefault,
    });
  }, [settings, form]);

  const save = async (v: FormValues) => {
    const body: ProjectSettings = {
      timezone: v.timezone,
      doNotDisturb: { enabled: v.dndEnabled, start: v.dndRange[0].format('HH:mm'), end: v.dndRange[1].format('HH:mm'), action: v.dndAction },
      channelCap: capOut(v.channelCap),
      crossChannelCap: capOut(v.crossChannelCap),
      segmentRefreshLeadMinutes: v.segmentRefreshLeadMinutes,
      allowSelfApproval: v.allowSelfApproval,
      syncToSegmentListDefault: v.syncToSegmentListDefault,
    };
    setBusy(true);
    try {
      await api.patch('/api/v1/settings', body);
      await reloadSettings();
      message.success(t('common.saved'));
    } catch (e) {
      applyFieldErrors(form, e, (p) => (p.startsWith('doNotDisturb') ? ['dndRange'] : p.split('.')));
      message.error(errorText(e, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title={<Typography.Title level={4} style={{ margin: 0 }}>{t('settings.title')}</Typography.Title>} style={{ maxWidth: 820 }}>
      {!settings ? <Spin /> : <Form form={form} layout="vertical" onFinish={save}>
        <Form.Item name="timezone" label={t('settings.timezone')} extra={t('settings.timezoneHelp')} rules={[{ required: true }]}>
          <Select showSearch options={zones().map((z) => ({ value: z, label: z }))} style={{ maxWidth: 360 }} />
        </Form.Item>
        <Form.Item label={t('settings.dnd')}>
          <Space wrap>
            <Form.Item name="dndEnabled" valuePropName="checked" noStyle>
              <Switch aria-label={t('settings.dndEnabled')} />
            </Form.Item>
            <span>{t('settings.dndEnabled')}</span>
            <Form.Item name="dndRange" noStyle>
              <TimePicker.RangePicker format="HH:mm" order={false} aria-label={t('settings.dnd')} />
            </Form.Item>
            <span>{t('settings.dndAction')}</span>
            <Form.Item name="dndAction" noStyle>
              <Select style={{ width: 300 }} aria-label={t('settings.dndAction')} options={[{ value: 'defer', label: t('settings.dnd.defer') }, { value: 'drop', label: t('settings.dnd.drop') }]} />
            </Form.Item>
          </Space>
        </Form.Item>
        <Form.Item label={t('settings.channelCap')}>
          <CapFields name="channelCap" />
        </Form.Item>
        <Form.Item label={t('settings.crossChannelCap')}>
          <CapFields name="crossChannelCap" />
        </Form.Item>
        <Form.Item name="segmentRefreshLeadMinutes" label={t('settings.refreshLead')} extra={t('settings.refreshLeadHelp')} rules={[{ required: true }]}>
          <InputNumber min={1} max={1440} />
        </Form.Item>
        <Form.Item name="allowSelfApproval" valuePropName="checked" label={t('settings.allowSelfApproval')}>
          <Switch />
        </Form.Item>
        <Form.Item name="syncToSegmentListDefault" valuePropName="checked" label={t('settings.syncDefault')}>
          <Switch />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy}>
          {t('common.save')}
        </Button>
      </Form>}
    </Card>
  );
}
