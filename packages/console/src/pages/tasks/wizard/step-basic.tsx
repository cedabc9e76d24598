import { AutoComplete, Form, Input, Radio, Select, Typography } from 'antd';
import type { Activity, Group } from '../../../api/types';
import { useT } from '../../../i18n/i18n';
import { Field } from './field';
import type { WizardValues } from './wizard-model';
import type { PathErrors } from './wizard-validation';

export interface StepProps {
  values: WizardValues;
  set(path: string, value: unknown): void;
  errors: PathErrors;
}

export function StepChannel({ values, set, errors }: StepProps) {
  const t = useT();
  return (
    <Form layout="vertical" component="div" style={{ maxWidth: 640 }}>
      <Form.Item label={t('wizard.channel')} required>
        <Radio.Group value="whatsapp" options={[{ value: 'whatsapp', label: 'WhatsApp' }]} aria-label={t('wizard.channel')} />
        <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>{t('wizard.channelHelp')}</Typography.Paragraph>
      </Form.Item>
      <Field label={t('wizard.subjectType')} path="basic.subjectType" errors={errors} extra={t('wizard.subjectTypeHelp')} required>
        <AutoComplete id="basic.subjectType" value={(values.basic.subjectType as string) ?? 'user'} options={[{ value: 'user' }, { value: 'merchant' }]} onChange={(v: string) => set('basic.subjectType', v)} style={{ maxWidth: 300 }} />
      </Field>
    </Form>
  );
}

export function StepBasic({ values, set, errors, groups, activities }: StepProps & { groups: Group[]; activities: Activity[] }) {
  const t = useT();
  return (
    <Form layout="vertical" component="div" style={{ maxWidth: 640 }}>
      <Field label={t('wizard.name')} path="basic.name" errors={errors} required extra={t('wizard.nameHelp')}>
        <Input id="basic.name" data-testid="task-name" value={(values.basic.name as string) ?? ''} maxLength={100} showCount onChange={(e) => set('basic.name', e.target.value)} />
      </Field>
      <Field label={t('wizard.group')} path="basic.groupId" errors={errors}>
        <Select id="basic.groupId" allowClear placeholder={t('common.optional')} value={(values.basic.groupId as string) || undefined} options={groups.map((g) => ({ value: g.id, label: g.name }))} onChange={(v?: string) => set('basic.groupId', v)} />
      </Field>
      <Field label={t('wizard.activity')} path="basic.activityId" errors={errors}>
        <Select id="basic.activityId" allowClear placeholder={t('common.optional')} value={(values.basic.activityId as string) || undefined} options={activities.map((a) => ({ value: a.id, label: a.name }))} onChange={(v?: string) => set('basic.activityId', v)} />
      </Field>
    </Form>
  );
}
