import { UploadOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Col, Form, Input, Radio, Row, Select, Space, Switch, Table, TimePicker, Typography, Upload } from 'antd';
import { parseAudienceRule } from '@wareach/core';
import { useEffect, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { api, ApiError, asPage } from '../../api/client';
import type { Role } from '../../api/types';
import { useSession } from '../../auth/session';
import { CsvColumns, CsvTemplateLink } from '../../components/csv-columns';
import { LoadState } from '../../components/page-state';
import { AudienceEstimate } from '../../components/rule/estimate';
import { cleanRule, RuleBuilder, type LooseGroup, type RuleCatalogue } from '../../components/rule/rule-builder';
import { useT } from '../../i18n/i18n';
import { errorText } from '../../lib/errors';
import { dayjs } from '../../lib/time';
import { useLoad } from '../../lib/use-load';
import { loadCatalogue } from '../customers/catalogue-page';

interface Segment {
  id?: string;
  name: string;
  kind: 'rule' | 'csv';
  rule?: LooseGroup;
  refreshMode: 'on_demand' | 'daily' | 'realtime';
  dailyAt?: string;
  visible: boolean;
  authorisedRoleIds: string[];
}

interface SegmentView {
  id: string;
  name: string;
  kind: 'rule' | 'csv' | 'list';
  rule: LooseGroup | null;
  refresh: { mode: Segment['refreshMode']; time: string | null };
  visibleInList: boolean;
  authorisedRoleIds: string[] | null;
  memberCount: number;
  sendCount: number;
}

interface CsvReport {
  accepted?: number;
  duplicates?: number;
  rejected?: number;
  refused?: number;
  errors?: { line: number; reason?: string; message?: string }[];
}

export function SegmentEditPage() {
  const t = useT();
  const { id } = useParams();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const { can } = useSession();
  const refs = useLoad(async () => {
    const [cat, segments, roles] = await Promise.all([
      loadCatalogue().catch(() => ({ events: [], attributes: [], tags: [] })),
      api.get<unknown>('/api/v1/segments', { limit: 200 }).then((r) => asPage<{ id: string; name: string }>(r).items).catch(() => []),
      api.get<Role[]>('/api/v1/roles').catch(() => [] as Role[]),
    ]);
    return { catalogue: { ...cat, segments: segments.filter((s) => s.id !== id) } as RuleCatalogue, roles };
  }, [id]);
  const existing = useLoad(async () => (id ? api.get<SegmentView>(`/api/v1/segments/${id}`) : null), [id]);
  const [seg, setSeg] = useState<Segment>({ name: '', kind: 'rule', rule: { kind: 'and', children: [] }, refreshMode: 'on_demand', visible: true, authorisedRoleIds: [] });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<CsvReport>();
  const [uploading, setUploading] = useState(false);
  useEffect(() => {
    const d = existing.data;
    if (d) setSeg({ id: d.id, name: d.name, kind: d.kind === 'rule' ? 'rule' : 'csv', rule: d.rule ?? seg.rule, refreshMode: d.refresh.mode, ...(d.refresh.time ? { dailyAt: d.refresh.time } : {}), visible: d.visibleInList, authorisedRoleIds: d.authorisedRoleIds ?? [] });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [existing.data]);
  const rule = cleanRule(seg.rule);
  const parsed = seg.kind === 'rule' ? parseAudienceRule(rule) : null;
  const ruleErrors = parsed && !parsed.ok ? Object.fromEntries(parsed.error.map((e) => [e.path, e.message])) : {};
  const readOnly = !can('segment.edit');

  const save = async () => {
    if (!seg.name.trim()) return setErrors({ name: t('common.required') });
    setBusy(true);
    try {
      const body = { name: seg.name.trim(), ...(id ? {} : { kind: seg.kind }), ...(seg.kind === 'rule' ? { rule, refreshMode: seg.refreshMode } : {}), ...(seg.kind === 'rule' && seg.refreshMode === 'daily' ? { refreshTime: seg.dailyAt ?? '06:00' } : {}), visibleInList: seg.visible, authorisedRoleIds: seg.authorisedRoleIds.length ? seg.authorisedRoleIds : null };
      const r = id ? await api.patch<{ id: string }>(`/api/v1/segments/${id}`, body) : await api.post<{ id: string }>('/api/v1/segments', body);
      message.success(t('segments.saved'));
      if (!id) navigate(`/segments/${r.id}`, { replace: true });
      else existing.reload();
    } catch (e) {
      if (e instanceof ApiError) setErrors(Object.fromEntries(e.details.map((d) => [d.path, d.message])));
      message.error(errorText(e, t));
    } finally {
      setBusy(false);
    }
  };
  const upload = async (file: File) => {
    const form = new FormData();
    form.append('file', file);
    setUploading(true);
    try {
      setReport(await api.post<CsvReport>(`/api/v1/segments/${id}/csv`, form));
      existing.reload();
    } catch (e) {
      message.error(errorText(e, t));
    } finally {
      setUploading(false);
    }
  };
  const serverRuleErrors = Object.fromEntries(Object.entries(errors).filter(([p]) => p.startsWith('rule')).map(([p, m]) => [p.replace(/^rule\.?/, ''), m]));
  return (
    <LoadState loading={refs.loading || existing.loading} error={refs.error ?? existing.error}>
      <Card title={id ? seg.name : t('segments.new')} extra={!readOnly && <Button type="primary" loading={busy} onClick={() => void save()}>{t('common.save')}</Button>}>
        <Form layout="vertical" component="div" disabled={readOnly}>
          <Row gutter={16}>
            <Col xs={24} md={8}>
              <Form.Item label={t('common.name')} htmlFor="segment-name" required validateStatus={errors.name ? 'error' : undefined} help={errors.name}>
                <Input id="segment-name" value={seg.name} onChange={(e) => setSeg({ ...seg, name: e.target.value })} />
              </Form.Item>
            </Col>
            <Col xs={24} md={8}>
              <Form.Item label={t('segments.kind')}>
                <Radio.Group disabled={!!id} value={seg.kind} onChange={(e) => setSeg({ ...seg, kind: e.target.value as 'rule' | 'csv' })} options={[{ value: 'rule', label: t('segments.kind.rule') }, { value: 'csv', label: t('segments.kind.csv') }]} />
              </Form.Item>
            </Col>
            <Col xs={24} md={8}>
              <Form.Item label={t('segments.refreshMode')} validateStatus={errors.refreshMode ? 'error' : undefined} help={errors.refreshMode}>
                <Space>
                  <Select disabled={seg.kind === 'csv' || readOnly} style={{ width: 150 }} value={seg.refreshMode} onChange={(m) => setSeg({ ...seg, refreshMode: m })} options={(['on_demand', 'daily', 'realtime'] as const).map((m) => ({ value: m, label: t(`segments.refresh.${m}`) }))} aria-label={t('segments.refreshMode')} />
                  {seg.refreshMode === 'daily' && <TimePicker format="HH:mm" aria-label={t('segments.dailyAt')} value={dayjs(seg.dailyAt ?? '06:00', 'HH:mm')} onChange={(d) => setSeg({ ...seg, dailyAt: d?.format('HH:mm') ?? '06:00' })} />}
                </Space>
              </Form.Item>
            </Col>
          </Row>
          <Row gutter={16}>
            <Col xs={24} md={8}>
              <Form.Item label={t('segments.visible')}>
                <Switch checked={seg.visible} onChange={(v) => setSeg({ ...seg, visible: v })} aria-label={t('segments.visible')} />
              </Form.Item>
            </Col>
            <Col xs={24} md={16}>
              <Form.Item label={t('segments.roles')} extra={t('segments.rolesHelp')}>
                <Select mode="multiple" value={seg.authorisedRoleIds} onChange={(v) => setSeg({ ...seg, authorisedRoleIds: v })} options={(refs.data?.roles ?? []).map((r) => ({ value: r.id, label: r.name }))} aria-label={t('segments.roles')} />
              </Form.Item>
            </Col>
          </Row>
        </Form>
        {seg.kind === 'rule' && refs.data && (
          <Row gutter={[16, 16]}>
            <Col xs={24} xxl={17}>
              <RuleBuilder value={seg.rule ?? { kind: 'and', children: [] }} onChange={(r) => setSeg({ ...seg, rule: r })} catalogue={refs.data.catalogue} errors={{ ...ruleErrors, ...serverRuleErrors }} />
            </Col>
            <Col xs={24} xxl={7}>
              <Card size="small" title={t('estimate.title')}>
                <AudienceEstimate body={{ rule }} valid={!!parsed?.ok} />
              </Card>
            </Col>
          </Row>
        )}
        {seg.kind === 'csv' && (
          <Card size="small" title={t('segments.csvUpload')}>
            <CsvColumns />
            {!id ? (
              <Space orientation="vertical">
                <Alert type="info" showIcon title={t('segments.saveFirst')} />
                <CsvTemplateLink />
              </Space>
            ) : (
              <Space size="large" wrap>
                <Upload accept=".csv,text/csv" showUploadList={false} beforeUpload={(f) => { void upload(f); return false; }}>
                  <Button icon={<UploadOutlined />} loading={uploading}>{t('segments.csvUpload')}</Button>
                </Upload>
                <CsvTemplateLink />
                <Typography.Text data-testid="segment-members">{t('segments.memberCount', { n: existing.data?.memberCount ?? 0 })}</Typography.Text>
              </Space>
            )}
            {report && (
              <>
                <Alert style={{ marginTop: 8 }} type={report.refused || report.rejected ? 'warning' : 'success'} showIcon title={t('segments.csvResult', { accepted: report.accepted ?? 0, duplicates: report.duplicates ?? 0, rejected: report.refused ?? report.rejected ?? report.errors?.length ?? 0 })} />
                {!!report.errors?.length && <Table data-testid="csv-errors" size="small" rowKey="line" dataSource={report.errors} pagination={report.errors.length > 10 ? { pageSize: 10 } : false} columns={[{ title: t('segments.line'), dataIndex: 'line' }, { title: t('segments.reason'), render: (_, r) => r.reason ?? r.message }]} />}
              </>
            )}
          </Card>
        )}
      </Card>
    </LoadState>
  );
}
