import { Alert, Descriptions, Listy, Tag } from 'antd';
import { useSession } from '../../../auth/session';
import { useT } from '../../../i18n/i18n';
import type { MessageKey } from '../../../i18n/messages';
import { formatInZone } from '../../../lib/time';
import type { WizardValues } from './wizard-model';
import type { PathErrors } from './wizard-validation';

export function Summary({ values, errors, names }: { values: WizardValues; errors: PathErrors; names: { group?: string; activity?: string; channel?: string; segment?: string } }) {
  const t = useT();
  const { timezone } = useSession();
  const tr = values.trigger;
  const time = (v: unknown) => (v ? `${formatInZone(v as string, timezone)} (${timezone})` : '—');
  const content = values.delivery.content as { type?: string; body?: string } | undefined;
  const entries = Object.entries(errors);
  return (
    <>
      {entries.length > 0 && (
        <Alert type="error" showIcon style={{ marginBottom: 16 }} title={t('error.fixFields')} description={<Listy rowKey={([p]) => p} items={entries} styles={{ item: { padding: '4px 0' } }} itemRender={([p, m]) => <><code>{p}</code> {m}</>} />} />
      )}
      <Descriptions bordered column={1} size="small" data-testid="summary">
        <Descriptions.Item label={t('wizard.channel')}>WhatsApp · {String(values.basic.subjectType ?? 'user')}</Descriptions.Item>
        <Descriptions.Item label={t('wizard.name')}>{String(values.basic.name ?? '')}</Descriptions.Item>
        <Descriptions.Item label={t('wizard.group')}>{names.group ?? '—'}</Descriptions.Item>
        <Descriptions.Item label={t('wizard.activity')}>{names.activity ?? '—'}</Descriptions.Item>
        <Descriptions.Item label={t('wizard.audienceMode')}>
          {t(`wizard.mode.${String(values.audience.mode)}` as MessageKey)} {names.segment && `· ${names.segment}`}
          {((values.audience.supplementaryIds as string[] | undefined)?.length ?? 0) > 0 && <> · {t('wizard.supplementary')}: {(values.audience.supplementaryIds as string[]).join(', ')}</>}
        </Descriptions.Item>
        <Descriptions.Item label={t('wizard.triggerType')}>
          {t(`trigger.${String(tr.type)}` as MessageKey)}
          {tr.type === 'scheduled_once' && <> · {time(tr.sendAt)}</>}
          {tr.type === 'recurring' && <> · {time(tr.startAt)} → {time(tr.endAt)}</>}
          {(tr.type === 'triggered' || tr.type === 'triggered_not') && <> · {String((tr.eventA as { name?: string } | undefined)?.name ?? '')}</>}
        </Descriptions.Item>
        <Descriptions.Item label={t('wizard.channelAccount')}>{names.channel ?? '—'} · {String(values.delivery.phoneNumberId ?? '')}</Descriptions.Item>
        <Descriptions.Item label={t('wizard.taskType')}>{t(`taskType.${String(values.delivery.taskType)}` as MessageKey)}</Descriptions.Item>
        <Descriptions.Item label={t('wizard.content')}>
          <Tag>{t(`content.type.${String(content?.type)}` as MessageKey)}</Tag> {content?.body}
        </Descriptions.Item>
        <Descriptions.Item label={t('wizard.globalLimit')}>{values.delivery.globalLimit === false ? t('common.no') : t('common.yes')}</Descriptions.Item>
      </Descriptions>
    </>
  );
}
