/**
 * The body every report shows, whatever it adds up (a task, one run, a task group, an activity):
 * the funnel, skipped by reason, failures by error code, clicks by button, the hourly series and the
 * CSV export of all of it. The pages around it only choose what to load and how to title it.
 */
import { classifyGraphError, isSkipReason } from '@wareach/core';
import { Alert, Button, Card, Col, Divider, Empty, Flex, Progress, Row, Space, Statistic, Table, Typography } from 'antd';
import type { ReactNode } from 'react';
import type { TaskStats } from '../../api/tasks';
import { useSession } from '../../auth/session';
import { LoadState } from '../../components/page-state';
import { useT, type TFunction } from '../../i18n/i18n';
import type { MessageKey } from '../../i18n/messages';
import { formatInZone } from '../../lib/time';
import type { Loaded } from '../../lib/use-load';

export interface ReportSubject {
  scope: 'task' | 'run' | 'group' | 'activity';
  name: string;
}

type Count = 'audience' | 'sent' | 'delivered' | 'read' | 'replied' | 'clicked';

/** Each step and what its rate is over: step to step, and replies and clicks over sent like the API's rates. */
const FUNNEL: { key: Count; base?: Count }[] = [
  { key: 'audience' },
  { key: 'sent', base: 'audience' },
  { key: 'delivered', base: 'sent' },
  { key: 'read', base: 'delivered' },
  { key: 'replied', base: 'sent' },
  { key: 'clicked', base: 'sent' },
];

/** The hourly series the server gives (it counts no replies per hour). */
const SERIES: { key: 'sent' | 'delivered' | 'read' | 'failed'; color: string }[] = [
  { key: 'sent', color: '#1677ff' },
  { key: 'delivered', color: '#13c2c2' },
  { key: 'read', color: '#52c41a' },
  { key: 'failed', color: '#ff4d4f' },
];

const percent = (n: number, d: number) => (d > 0 ? Math.round((n / d) * 1000) / 10 : null);

export function skipLabel(t: TFunction, reason: string): string {
  return isSkipReason(reason) ? t(`reports.skip.${reason}` as MessageKey) : reason;
}

/** What a WhatsApp error code means, by the core's own classification of Graph errors. */
export function failureLabel(t: TFunction, f: TaskStats['failures'][number]): string {
  if (f.code === 'none') return t('reports.noCode');
  const code = Number(f.code);
  const kind = Number.isInteger(code) ? classifyGraphError({ code }).kind : 'permanent';
  return `${t(`reports.kind.${kind}` as MessageKey)}${f.title ? ` · ${f.title}` : ''}`;
}

/** One CSV (UTF-8 with a BOM, so spreadsheets read Chinese) in long form: section, key, label, count. */
export function reportCsv(subject: ReportSubject, s: TaskStats, t: TFunction, zone: string): string {
  const rows: (string | number)[][] = [['section', 'key', 'label', 'count'], ['report', subject.scope, subject.name, '']];
  for (const f of FUNNEL) rows.push(['funnel', f.key, t(`reports.${f.key}`), s[f.key]]);
  rows.push(['funnel', 'failed', t('reports.failed'), s.failed]);
  for (const r of s.skipped) rows.push(['skipped', r.reason, skipLabel(t, r.reason), r.count]);
  for (const f of s.failures) rows.push(['failed', f.code, failureLabel(t, f), f.count]);
  for (const c of s.clicksByButton) rows.push(['clicks', c.button, c.button, c.count]);
  for (const m of SERIES) for (const p of s.series) rows.push([`series.${m.key}`, p.at, formatInZone(p.at, zone), p[m.key]]);
  // Quoted where CSV needs it; text a spreadsheet would run as a formula is prefixed with '.
  const esc = (v: string | number) => {
    const text = typeof v === 'string' && /^[=+\-@\t\r]/.test(v) ? `'${v}` : String(v);
    return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return '\uFEFF' + rows.map((r) => r.map(esc).join(',')).join('\r\n') + '\r\n';
}

/** A small SVG line chart: no chart library, nothing downloaded. */
function SeriesChart({ series }: { series: TaskStats['series'] }) {
  const t = useT();
  const { timezone } = useSession();
  if (series.length === 0) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />;
  const W = 720;
  const H = 220;
  const pad = 32;
  const max = Math.max(1, ...series.flatMap((p) => SERIES.map((s) => p[s.key])));
  const x = (i: number) => pad + (series.length === 1 ? (W - 2 * pad) / 2 : (i * (W - 2 * pad)) / (series.length - 1));
  const y = (v: number) => H - pad - (v / max) * (H - 2 * pad);
  return (
    <div>
      <svg viewBox={`0 0 ${W} ${H}`} style={{ width: '100%', maxWidth: W }} role="img" aria-label={t('reports.overTime')}>
        <line x1={pad} y1={H - pad} x2={W - pad} y2={H - pad} stroke="#d9d9d9" />
        <line x1={pad} y1={pad} x2={pad} y2={H - pad} stroke="#d9d9d9" />
        <text x={4} y={pad} fontSize={10} fill="#888">{max}</text>
        {SERIES.map((s) => (
          <polyline key={s.key} fill="none" stroke={s.color} strokeWidth={2} points={series.map((p, i) => `${x(i)},${y(p[s.key])}`).join(' ')} />
        ))}
        {/* A line needs two points: dots keep a single hour (a run that just sent) visible. */}
        {series.length === 1 && SERIES.map((s, k) => <circle key={s.key} cx={x(0) + (k - 1.5) * 6} cy={y(series[0]![s.key])} r={3} fill={s.color} />)}
        {series.map((p, i) => (i % Math.ceil(series.length / 6) === 0 ? <text key={i} x={x(i)} y={H - 10} fontSize={10} textAnchor="middle" fill="#888">{formatInZone(p.at, timezone).slice(5)}</text> : null))}
      </svg>
      <Space>{SERIES.map((s) => <span key={s.key} style={{ color: s.color }}>■ {t(`reports.${s.key}`)}</span>)}</Space>
    </div>
  );
}

/** One count of the funnel; `color` marks the counts that are losses (skipped, failed). */
function Tile({ title, value, testId, rate, color }: { title: string; value: number; testId: string; rate?: { of: string; percent: number | null }; color?: string }) {
  const t = useT();
  return (
    <div style={{ flex: '1 1 100px', minWidth: 100 }}>
      <Statistic title={title} value={value} data-testid={testId} styles={color && value ? { content: { color } } : undefined} />
      {rate && (
        <>
          <Progress percent={Math.min(100, rate.percent ?? 0)} size="small" showInfo={false} strokeColor={color} />
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {`${rate.percent === null ? '—' : `${rate.percent}%`} ${t('reports.ofBase', { base: rate.of })}`}
          </Typography.Text>
        </>
      )}
    </div>
  );
}

export function ReportBody({ stats, subject }: { stats: TaskStats; subject: ReportSubject }) {
  const t = useT();
  const { timezone } = useSession();
  const skipped = stats.skipped.reduce((a, r) => a + r.count, 0);
  const exportCsv = () => {
    const url = URL.createObjectURL(new Blob([reportCsv(subject, stats, t, timezone)], { type: 'text/csv;charset=utf-8' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${subject.name.replace(/[\\/:*?"<>|]+/g, '_')}-report.csv`;
    a.click();
    URL.revokeObjectURL(url);
  };
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }} data-testid="report">
      {stats.audience === 0 && stats.sent === 0 && stats.failed === 0 && skipped === 0 && <Alert type="info" showIcon title={t('reports.nothingYet')} data-testid="report-nothing-yet" />}
      <Card title={t('reports.funnel')} extra={<Button onClick={exportCsv} data-testid="report-export">{t('common.exportCsv')}</Button>}>
        <Flex wrap gap={16}>
          {FUNNEL.map((f) => (
            <Tile key={f.key} title={t(`reports.${f.key}`)} value={stats[f.key]} testId={`stat-reports.${f.key}`} {...(f.base ? { rate: { of: t(`reports.${f.base}`), percent: percent(stats[f.key], stats[f.base]) } } : {})} />
          ))}
          <Divider orientation="vertical" style={{ height: 'auto', margin: 0 }} />
          <Tile title={t('reports.skippedTotal')} value={skipped} testId="stat-reports.skipped" rate={{ of: t('reports.audience'), percent: percent(skipped, stats.audience) }} color="#d48806" />
          <Tile title={t('reports.failed')} value={stats.failed} testId="stat-reports.failed" rate={{ of: t('reports.audience'), percent: percent(stats.failed, stats.audience) }} color="#cf1322" />
        </Flex>
      </Card>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={10}>
          <Card title={t('reports.skipped')} size="small">
            <Table
              size="small"
              rowKey="reason"
              pagination={false}
              dataSource={stats.skipped}
              columns={[
                { title: t('reports.reason'), dataIndex: 'reason', render: (r: string) => <>{skipLabel(t, r)} <Typography.Text type="secondary" style={{ fontSize: 12 }}>{r}</Typography.Text></> },
                { title: t('reports.count'), dataIndex: 'count', align: 'right', width: 72 },
                { title: t('reports.rate'), align: 'right', width: 72, render: (_, r) => { const p = percent(r.count, stats.audience); return p === null ? '—' : `${p}%`; } },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} xl={8}>
          <Card title={t('reports.failures')} size="small">
            <Table
              size="small"
              rowKey="code"
              pagination={false}
              dataSource={stats.failures}
              columns={[
                { title: t('reports.code'), dataIndex: 'code', render: (c: string) => (c === 'none' ? '—' : c) },
                { title: t('reports.meaning'), render: (_, f) => failureLabel(t, f) },
                { title: t('reports.count'), dataIndex: 'count', align: 'right', width: 72 },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} xl={6}>
          <Card title={t('reports.clicksByButton')} size="small">
            <Table size="small" rowKey="button" pagination={false} dataSource={stats.clicksByButton} columns={[{ title: t('reports.button'), dataIndex: 'button' }, { title: t('reports.count'), dataIndex: 'count', align: 'right', width: 72 }]} />
          </Card>
        </Col>
      </Row>
      <Card title={t('reports.overTime')} extra={<Typography.Text type="secondary">{t('reports.seriesHelp', { zone: timezone })}</Typography.Text>}>
        <SeriesChart series={stats.series} />
      </Card>
    </Space>
  );
}

/**
 * A report page: a heading (title, the page's own controls such as a run picker, refresh) over the
 * report of the loaded statistics, then whatever the page adds below (a group's tasks, say).
 */
export function ReportPage({ title, controls, description, subject, stats, children }: { title: ReactNode; controls?: ReactNode; description?: ReactNode; subject: ReportSubject; stats: Loaded<TaskStats>; children?: ReactNode }) {
  const t = useT();
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Card title={title} extra={<Space wrap>{controls}<Button onClick={stats.reload}>{t('common.refresh')}</Button></Space>}>
        {description}
      </Card>
      <LoadState loading={stats.loading} error={stats.error}>
        {stats.data ? <ReportBody stats={stats.data} subject={subject} /> : <div style={{ minHeight: 200 }} />}
      </LoadState>
      {children}
    </Space>
  );
}
