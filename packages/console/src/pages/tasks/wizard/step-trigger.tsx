import { AutoComplete, Checkbox, Col, DatePicker, Form, Input, InputNumber, Radio, Row, Select, Space, Switch, TimePicker, Tooltip, Typography } from 'antd';
import { PropertyFiltersEditor, type LooseFilter } from '../../../components/rule/property-filters';
import type { RuleCatalogue } from '../../../components/rule/rule-builder';
import { useSession } from '../../../auth/session';
import { useT } from '../../../i18n/i18n';
import type { MessageKey } from '../../../i18n/messages';
import { dayjs, utcToWallTime, wallTimeToUtc } from '../../../lib/time';
import { Field } from './field';
import type { StepProps } from './step-basic';
import { TimingPreviewCard } from './timing-preview';
import type { Obj } from './wizard-model';

const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7];
const CALLBACK_EVENTS = ['wareach.message.sent', 'wareach.message.delivered', 'wareach.message.read', 'wareach.message.failed', 'wareach.message.replied', 'wareach.message.clicked'];

function Instant({ path, value, set, id }: { path: string; value: unknown; set(p: string, v: unknown): void; id?: string }) {
  const { timezone } = useSession();
  return <DatePicker id={id ?? path} showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" value={utcToWallTime(value as string | undefined, timezone) ?? null} onChange={(d) => set(path, d ? wallTimeToUtc(d, timezone) : undefined)} />;
}

function ClockTime({ path, value, set }: { path: string; value: unknown; set(p: string, v: unknown): void }) {
  return <TimePicker id={path} format="HH:mm" value={value ? dayjs(value as string, 'HH:mm') : null} onChange={(d) => set(path, d ? d.format('HH:mm') : undefined)} />;
}

function RefreshFields({ values, set, errors }: StepProps) {
  const t = useT();
  return (
    <>
      <Form.Item label={t('wizard.refreshSegment')} extra={values.audience.mode === 'csv' ? t('wizard.csvNeverRefreshed') : t('wizard.refreshSegmentHelp')}>
        <Switch disabled={values.audience.mode === 'csv'} checked={values.trigger.refreshSegment !== false} onChange={(v) => set('trigger.refreshSegment', v)} aria-label={t('wizard.refreshSegment')} />
      </Form.Item>
      <Field label={t('wizard.refreshFailure')} path="trigger.refreshFailure" errors={errors}>
        <Radio.Group disabled={values.audience.mode === 'csv' || values.trigger.refreshSegment === false} value={values.trigger.refreshFailure ?? 'use_last'} onChange={(e) => set('trigger.refreshFailure', e.target.value)} options={[{ value: 'use_last', label: t('wizard.useLast') }, { value: 'skip', label: t('wizard.skipRun') }]} />
      </Field>
    </>
  );
}

function EventSpec({ which, values, set, errors, catalogue }: StepProps & { which: 'eventA' | 'eventB'; catalogue: RuleCatalogue }) {
  const t = useT();
  const spec = (values.trigger[which] as Obj | undefined) ?? {};
  const names = [...catalogue.events.map((e) => e.name), ...CALLBACK_EVENTS];
  const props = catalogue.events.find((e) => e.name === spec.name)?.properties ?? (String(spec.name ?? '').startsWith('wareach.') ? [{ name: 'taskKind', type: 'string' }, { name: 'taskId', type: 'string' }, { name: 'metric', type: 'string' }, { name: 'button', type: 'string' }] : []);
  return (
    <>
      <Field label={t(which === 'eventA' ? 'wizard.eventA' : 'wizard.eventB')} path={`trigger.${which}.name`} errors={errors} required extra={which === 'eventA' ? t('wizard.callbackHelp') : undefined}>
        <AutoComplete id={`trigger.${which}.name`} value={(spec.name as string) ?? ''} options={[...new Set(names)].map((n) => ({ value: n }))} onChange={(v: string) => set(`trigger.${which}.name`, v)} style={{ maxWidth: 360 }} placeholder={t('rule.eventName')} />
      </Field>
      <Form.Item label={t('wizard.eventFilters')}>
        <PropertyFiltersEditor idPrefix={`trigger-${which}`} value={(spec.filters as unknown as LooseFilter[]) ?? []} properties={props} onChange={(f) => set(`trigger.${which}.filters`, f)} />
      </Form.Item>
    </>
  );
}

function EventTriggerFields(props: StepProps & { catalogue: RuleCatalogue }) {
  const t = useT();
  const { values, set, errors } = props;
  const tr = values.trigger;
  const timing = (tr.timing as Obj | undefined) ?? { kind: 'immediate' };
  const counting = (tr.counting as Obj | undefined) ?? { kind: 'cumulative', n: 1 };
  const range = (tr.range as Obj | undefined) ?? {};
  return (
    <>
      <EventSpec which="eventA" {...props} />
      <Field label={t('wizard.eventRange')} path="trigger.range" errors={errors} required>
        <Space wrap>
          <Instant path="trigger.range.start" value={range.start} set={set} />→<Instant path="trigger.range.end" value={range.end} set={set} />
        </Space>
        {(errors['trigger.range.start'] || errors['trigger.range.end']) && <div style={{ color: '#ff4d4f' }}>{errors['trigger.range.start'] ?? errors['trigger.range.end']}</div>}
      </Field>
      <Field label={t('wizard.counting')} path="trigger.counting" errors={errors} required>
        <Space>
          <Select style={{ width: 200 }} value={counting.kind as string} aria-label={t('wizard.counting')} options={[{ value: 'cumulative', label: t('wizard.cumulative') }, { value: 'every', label: t('wizard.every') }]} onChange={(k) => set('trigger.counting', { ...counting, kind: k })} />
          <InputNumber min={1} max={10000} aria-label="N" value={counting.n as number} onChange={(n) => set('trigger.counting', { ...counting, n: n ?? undefined })} />
          <span>{t('rule.times')}</span>
        </Space>
      </Field>
      {tr.type === 'triggered_not' && (
        <>
          <EventSpec which="eventB" {...props} />
          <Field label={t('wizard.window')} path="trigger.window" errors={errors} required extra={t('wizard.windowHelp')}>
            <Space>
              <InputNumber min={1} aria-label={t('rule.amount')} value={(tr.window as Obj | undefined)?.amount as number} onChange={(n) => set('trigger.window', { unit: 'minutes', ...(tr.window as Obj | undefined), amount: n ?? undefined })} />
              <Select style={{ width: 100 }} aria-label={t('rule.unit')} value={((tr.window as Obj | undefined)?.unit as string) ?? 'minutes'} options={['minutes', 'hours', 'days'].map((u) => ({ value: u, label: t(`unit.${u}` as MessageKey) }))} onChange={(u) => set('trigger.window', { ...(tr.window as Obj | undefined), unit: u })} />
            </Space>
          </Field>
        </>
      )}
      <Field label={t('wizard.timing')} path="trigger.timing" errors={errors} required extra={tr.type === 'triggered_not' ? t('wizard.timingFromW') : undefined}>
        <Space wrap>
          <Select
            style={{ width: 220 }}
            aria-label={t('wizard.timing')}
            value={timing.kind as string}
            options={['immediate', 'delay', 'at_time', 'weekday'].map((k) => ({ value: k, label: t(`timing.${k}` as MessageKey) }))}
            onChange={(k: string) => set('trigger.timing', k === 'delay' ? { kind: k, amount: 1, unit: 'hours' } : k === 'at_time' ? { kind: k, time: '10:00' } : k === 'weekday' ? { kind: k, weekdays: [2], time: '10:00' } : { kind: k })}
          />
          {timing.kind === 'delay' && (
            <>
              <InputNumber min={1} aria-label={t('rule.amount')} value={timing.amount as number} onChange={(n) => set('trigger.timing.amount', n ?? undefined)} />
              <Select style={{ width: 100 }} aria-label={t('rule.unit')} value={timing.unit as string} options={['minutes', 'hours', 'days'].map((u) => ({ value: u, label: t(`unit.${u}` as MessageKey) }))} onChange={(u) => set('trigger.timing.unit', u)} />
            </>
          )}
          {timing.kind === 'at_time' && (
            <>
              <ClockTime path="trigger.timing.time" value={timing.time} set={set} />
              <Space.Compact>
                <InputNumber min={0} max={365} aria-label={t('wizard.daysLater')} value={timing.daysLater as number | undefined} onChange={(n) => set('trigger.timing.daysLater', n ?? undefined)} />
                <Space.Addon>{t('wizard.daysLater')}</Space.Addon>
              </Space.Compact>
            </>
          )}
          {timing.kind === 'weekday' && (
            <>
              <Checkbox.Group value={timing.weekdays as number[]} onChange={(v) => set('trigger.timing.weekdays', v)} options={WEEKDAYS.map((d) => ({ value: d, label: t(`weekday.${d}` as MessageKey) }))} />
              <ClockTime path="trigger.timing.time" value={timing.time} set={set} />
            </>
          )}
        </Space>
        {Object.entries(errors).filter(([p]) => p.startsWith('trigger.timing.')).map(([p, m]) => <div key={p} style={{ color: '#ff4d4f' }}>{m}</div>)}
      </Field>
      <Field label={t('wizard.endAt')} path="trigger.endAt" errors={errors} extra={t('wizard.endAtHelp')}>
        <Instant path="trigger.endAt" value={tr.endAt} set={set} />
      </Field>
    </>
  );
}

function RecurringFields(props: StepProps) {
  const t = useT();
  const { values, set, errors } = props;
  const cycle = (values.trigger.cycle as Obj | undefined) ?? { kind: 'daily', time: '10:00' };
  return (
    <>
      <Field label={t('wizard.cycle')} path="trigger.cycle" errors={errors} required>
        <Space wrap>
          <Select
            style={{ width: 140 }}
            aria-label={t('wizard.cycle')}
            value={cycle.kind as string}
            options={['daily', 'weekly', 'monthly', 'cron'].map((k) => ({ value: k, label: t(`cycle.${k}` as MessageKey) }))}
            onChange={(k: string) => set('trigger.cycle', k === 'cron' ? { kind: k, expression: '0 10 * * *' } : k === 'weekly' ? { kind: k, weekdays: [1], time: cycle.time ?? '10:00' } : k === 'monthly' ? { kind: k, days: [1], time: cycle.time ?? '10:00' } : { kind: k, time: cycle.time ?? '10:00' })}
          />
          {cycle.kind === 'weekly' && <Checkbox.Group value={cycle.weekdays as number[]} onChange={(v) => set('trigger.cycle.weekdays', v)} options={WEEKDAYS.map((d) => ({ value: d, label: t(`weekday.${d}` as MessageKey) }))} />}
          {cycle.kind === 'monthly' && <Select mode="multiple" style={{ minWidth: 200 }} aria-label={t('wizard.monthDays')} value={cycle.days as number[]} options={Array.from({ length: 31 }, (_, i) => ({ value: i + 1, label: String(i + 1) }))} onChange={(v) => set('trigger.cycle.days', v)} />}
          {cycle.kind === 'cron' ? <Input id="trigger.cycle.expression" style={{ width: 200 }} value={cycle.expression as string} onChange={(e) => set('trigger.cycle.expression', e.target.value)} placeholder="0 10 * * 1-5" /> : <ClockTime path="trigger.cycle.time" value={cycle.time} set={set} />}
        </Space>
        {Object.entries(errors).filter(([p]) => p.startsWith('trigger.cycle.')).map(([p, m]) => <div key={p} style={{ color: '#ff4d4f' }}>{m}</div>)}
      </Field>
      <Field label={t('wizard.startAt')} path="trigger.startAt" errors={errors} required>
        <Instant path="trigger.startAt" value={values.trigger.startAt} set={set} />
      </Field>
      <Field label={t('wizard.endAt')} path="trigger.endAt" errors={errors} required>
        <Instant path="trigger.endAt" value={values.trigger.endAt} set={set} />
      </Field>
      <RefreshFields {...props} />
    </>
  );
}

export function StepTrigger(props: StepProps & { catalogue: RuleCatalogue }) {
  const t = useT();
  const { values, set, errors } = props;
  const type = values.trigger.type as string;
  const csv = values.audience.mode === 'csv';
  const changeType = (next: string) => {
    if (next === 'scheduled_once') set('trigger', { type: next, approvalTimeout: 'cancel', refreshSegment: true, refreshFailure: 'use_last' });
    else if (next === 'recurring') set('trigger', { type: next, cycle: { kind: 'daily', time: '10:00' }, refreshSegment: true, refreshFailure: 'use_last' });
    else set('trigger', { type: next, eventA: { name: '', filters: [] }, counting: { kind: 'cumulative', n: 1 }, timing: { kind: 'immediate' }, ...(next === 'triggered_not' ? { eventB: { name: '', filters: [] }, window: { amount: 20, unit: 'minutes' } } : {}) });
  };
  return (
    <Row gutter={24}>
      <Col xs={24} xl={15}>
        <Form layout="vertical" component="div">
          <Field label={t('wizard.triggerType')} path="trigger.type" errors={errors} required>
            <Radio.Group value={type} onChange={(e) => changeType(e.target.value as string)}>
              <Radio value="scheduled_once">{t('trigger.scheduled_once')}</Radio>
              <Radio value="recurring">{t('trigger.recurring')}</Radio>
              <Tooltip title={csv ? t('wizard.triggeredNotCsv') : undefined}>
                <Radio value="triggered" disabled={csv}>{t('trigger.triggered')}</Radio>
              </Tooltip>
              <Tooltip title={csv ? t('wizard.triggeredNotCsv') : undefined}>
                <Radio value="triggered_not" disabled={csv}>{t('trigger.triggered_not')}</Radio>
              </Tooltip>
            </Radio.Group>
            {csv && <Typography.Text type="secondary" style={{ display: 'block' }}>{t('wizard.triggeredNotCsv')}</Typography.Text>}
          </Field>
          {type === 'scheduled_once' && (
            <>
              <Field label={t('wizard.sendAt')} path="trigger.sendAt" errors={errors} required>
                <Instant path="trigger.sendAt" value={values.trigger.sendAt} set={set} />
              </Field>
              <Field label={t('wizard.approvalTimeout')} path="trigger.approvalTimeout" errors={errors} extra={t('wizard.approvalTimeoutHelp')}>
                <Radio.Group value={values.trigger.approvalTimeout ?? 'cancel'} onChange={(e) => set('trigger.approvalTimeout', e.target.value)} options={[{ value: 'cancel', label: t('wizard.timeoutCancel') }, { value: 'run_after_approval', label: t('wizard.timeoutRun') }]} />
              </Field>
              <RefreshFields {...props} />
            </>
          )}
          {type === 'recurring' && <RecurringFields {...props} />}
          {(type === 'triggered' || type === 'triggered_not') && <EventTriggerFields {...props} />}
        </Form>
      </Col>
      <Col xs={24} xl={9}>
        <TimingPreviewCard trigger={values.trigger} />
      </Col>
    </Row>
  );
}
