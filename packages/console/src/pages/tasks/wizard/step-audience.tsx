import { Alert, Card, Col, Form, InputNumber, Radio, Row, Select, Space, Switch, Tooltip, Typography } from 'antd';
import { parseAudienceRule } from '@wareach/core';
import type { Role } from '../../../api/types';
import { AudienceEstimate } from '../../../components/rule/estimate';
import { cleanRule, RuleBuilder, type LooseGroup, type RuleCatalogue } from '../../../components/rule/rule-builder';
import { useT } from '../../../i18n/i18n';
import { Field } from './field';
import type { StepProps } from './step-basic';

export interface AudienceRefs {
  catalogue: RuleCatalogue;
  roles: Role[];
  tasks: { id: string; name: string }[];
}

/** Error map relative to the rule root, for the rule builder. */
const ruleErrors = (errors: Record<string, string>) =>
  Object.fromEntries(Object.entries(errors).filter(([p]) => p.startsWith('audience.rule')).map(([p, m]) => [p.replace(/^audience\.rule\.?/, ''), m]));

export function StepAudience({ values, set, errors, refs }: StepProps & { refs: AudienceRefs }) {
  const t = useT();
  const a = values.audience;
  const mode = a.mode as string;
  const triggered = values.trigger.type === 'triggered' || values.trigger.type === 'triggered_not';
  const rule = (a.rule as unknown as LooseGroup | undefined) ?? { kind: 'and', children: [] };
  const ruleValid = mode === 'rule' && parseAudienceRule(cleanRule(rule)).ok;
  const exclusion = a.exclusion as { taskIds?: string[]; lookbackDays?: number } | undefined;
  const lookbackOff = mode === 'csv' || !exclusion?.taskIds?.length;
  const changeMode = (m: string) => {
    const common = { supplementaryIds: a.supplementaryIds ?? [], ...(m !== 'csv' && a.exclusion ? { exclusion: a.exclusion } : {}) };
    if (m === 'rule') set('audience', { mode: 'rule', rule: { kind: 'and', children: [] }, syncToSegmentList: a.syncToSegmentList ?? true, authorisedRoleIds: [], ...common });
    else if (m === 'segment') set('audience', { mode: 'segment', segmentId: '', ...common });
    else set('audience', { mode: 'csv', ...common });
  };
  return (
    <Form layout="vertical" component="div">
      <Field label={t('wizard.audienceMode')} path="audience.mode" errors={errors} required>
        <Radio.Group value={mode} onChange={(e) => changeMode(e.target.value as string)} aria-label={t('wizard.audienceMode')}>
          <Radio value="rule">{t('wizard.mode.rule')}</Radio>
          <Radio value="segment">{t('wizard.mode.segment')}</Radio>
          <Tooltip title={triggered ? t('wizard.csvNotTriggered') : undefined}>
            <Radio value="csv" disabled={triggered}>{t('wizard.mode.csv')}</Radio>
          </Tooltip>
        </Radio.Group>
        {triggered && <Typography.Text type="secondary" style={{ display: 'block' }}>{t('wizard.csvNotTriggered')}</Typography.Text>}
      </Field>
      {mode === 'rule' && (
        <Row gutter={16}>
          <Col xs={24} xxl={17}>
            <Field label={t('segments.rule')} path="audience.rule" errors={{}} required>
              <RuleBuilder value={rule} onChange={(r) => set('audience.rule', r)} catalogue={refs.catalogue} errors={ruleErrors(errors)} />
            </Field>
          </Col>
          <Col xs={24} xxl={7}>
            <Card size="small" title={t('estimate.title')}>
              <AudienceEstimate body={{ rule: cleanRule(rule) }} valid={ruleValid} />
            </Card>
            <Form.Item label={t('wizard.syncToList')} extra={t('wizard.syncToListHelp')} style={{ marginTop: 16 }}>
              <Switch checked={a.syncToSegmentList !== false} onChange={(v) => set('audience.syncToSegmentList', v)} aria-label={t('wizard.syncToList')} />
            </Form.Item>
            <Field label={t('segments.roles')} path="audience.authorisedRoleIds" errors={errors} extra={t('wizard.rolesHelp')}>
              <Select mode="multiple" value={(a.authorisedRoleIds as string[]) ?? []} options={refs.roles.map((r) => ({ value: r.id, label: r.name }))} onChange={(v) => set('audience.authorisedRoleIds', v)} aria-label={t('segments.roles')} />
            </Field>
          </Col>
        </Row>
      )}
      {mode === 'segment' && (
        <Row gutter={16}>
          <Col xs={24} lg={12}>
            <Field label={t('rule.segment')} path="audience.segmentId" errors={errors} required>
              <Select id="audience.segmentId" showSearch={{ optionFilterProp: 'label' }} value={(a.segmentId as string) || undefined} placeholder={t('wizard.pickSegment')} options={refs.catalogue.segments.map((s) => ({ value: s.id, label: s.name }))} onChange={(v) => set('audience.segmentId', v)} />
            </Field>
          </Col>
          <Col xs={24} lg={12}>
            <Card size="small" title={t('estimate.title')}>
              <AudienceEstimate body={a.segmentId ? { segmentId: a.segmentId as string } : null} valid={!!a.segmentId} />
            </Card>
          </Col>
        </Row>
      )}
      {mode === 'csv' && <Alert type="info" showIcon title={t('wizard.csvInStep5')} style={{ marginBottom: 16 }} />}
      <Field label={t('wizard.supplementary')} path="audience.supplementaryIds" errors={errors} extra={t('wizard.supplementaryHelp')}>
        <Select mode="tags" tokenSeparators={[',', ' ', '\n']} value={(a.supplementaryIds as string[]) ?? []} onChange={(v) => set('audience.supplementaryIds', v)} aria-label={t('wizard.supplementary')} placeholder="+8613800000000" open={false} />
      </Field>
      <Field label={t('wizard.exclusion')} path="audience.exclusion.taskIds" errors={errors} extra={mode === 'csv' ? t('wizard.exclusionNotCsv') : t('wizard.exclusionHelp')}>
        <Row gutter={8}>
          <Col flex="auto">
            <Select
              mode="multiple"
              disabled={mode === 'csv'}
              aria-label={t('wizard.exclusion')}
              placeholder={t('common.none')}
              value={exclusion?.taskIds ?? []}
              options={refs.tasks.map((x) => ({ value: x.id, label: x.name }))}
              onChange={(ids: string[]) => set('audience.exclusion', ids.length ? { ...exclusion, taskIds: ids } : undefined)}
            />
          </Col>
          <Col>
            <Space.Compact>
              <Space.Addon disabled={lookbackOff}>{t('wizard.lookback')}</Space.Addon>
              <InputNumber disabled={lookbackOff} min={1} max={365} value={exclusion?.lookbackDays} onChange={(n) => set('audience.exclusion.lookbackDays', n ?? undefined)} aria-label={t('wizard.lookback')} />
              <Space.Addon disabled={lookbackOff}>{t('unit.days')}</Space.Addon>
            </Space.Compact>
          </Col>
        </Row>
      </Field>
    </Form>
  );
}
