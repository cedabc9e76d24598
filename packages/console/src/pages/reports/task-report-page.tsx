import { Button, Card, Col, Empty, Progress, Row, Space, Statistic, Table } from 'antd';
import { useParams, useSearchParams } from 'react-router';
import { api } from '../../api/client';
import { getStats, toTask, type Raw, type TaskStats } from '../../api/tasks';
import { useSession } from '../../auth/session';
import { LoadState } from '../../components/page-state';
import { useT } from '../../i18n/i18n';
import type { MessageKey } from '../../i18n/messages';
import { formatInZone } from '../../lib/time';
import { useLoad } from '../../lib/use-load';

const SERIES: { key: 'sent' | 'delivered' | 'read' | 'replied' | 'failed'; color: string }[] = [
  { key: 'sent', color: '#1677ff' },
  { key: 'delivered', color: '#13c2c2' },
  { key: 'read', color: '#52c41a' },
  { key: 'replied', color: '#722ed1' },
  { key: 'failed', color: '#ff4d4f' },
];

/** A small SVG line chart: no chart library, nothing downloaded. */
function SeriesChart({ series }: { series: TaskStats['series'] }) {
  const t = useT();
  const { timezone } = useSession();
  if (series.length === 0) return <Empty />;
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
        {series.length === 1 && SERIES.map((s, k) => <circle key={s.key} cx={x(0) + (k - 2) * 6} cy={y(series[0]![s.key])} r={3} fill={s.color} />)}
        {series.map((p, i) => (i % Math.ceil(series.length / 6) === 0 ? <text key={i} x={x(i)} y={H - 10} fontSize={10} textAnchor="middle" fill="#888">{formatInZone(p.at, timezone).slice(5)}</text> : null))}
      </svg>
      <Space>{SERIES.map((s) => <span key={s.key} style={{ color: s.color }}>■ {t(`reports.${s.key}` as MessageKey)}</span>)}</Space>
    </div>
  );
}

function toCsv(name: string, s: TaskStats): string {
  const rows: (string | number)[][] = [['section', 'key', 'count']];
  for (const k of ['audience', 'sent', 'delivered', 'read', 'replied', 'clicked', 'failed'] as const) rows.push(['funnel', k, s[k]]);
  for (const r of s.skipped) rows.push(['skipped', r.reason, r.count]);
  for (const f of s.failures) rows.push(['failed', f.code, f.count]);
  for (const c of s.clicksByButton) rows.push(['clicks', c.button, c.count]);
  for (const p of s.series) rows.push(['series', p.at, `${p.sent}/${p.delivered}/${p.read}/${p.replied}/${p.failed}`]);
  const esc = (v: string | number) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
  return `# ${name}\n` + rows.map((r) => r.map(esc).join(',')).join('\n') + '\n';
}

export function StatsView({ stats, name }: { stats: TaskStats; name: string }) {
  const t = useT();
  const rate = (n: number, d: number) => (d > 0 ? `${Math.round((n / d) * 1000) / 10}%` : '—');
  const funnel: { key: MessageKey; n: number; base: number }[] = [
    { key: 'reports.audience', n: stats.audience, base: stats.audience },
    { key: 'reports.sent', n: stats.sent, base: stats.audience },
    { key: 'reports.delivered', n: stats.delivered, base: stats.sent },
    { key: 'reports.read', n: stats.read, base: stats.delivered },
    { key: 'reports.replied', n: stats.replied, base: stats.read },
    { key: 'reports.clicked', n: stats.clicked, base: stats.read },
  ];
  const exportCsv = () => {
    const url = URL.createObjectURL(new Blob([toCsv(name, stats)], { type: 'text/csv' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${name}-report.csv`;
    a.click();
    URL.revokeObjectURL(url);
  };
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }} data-testid="report">
      <Card title={t('reports.funnel')} extra={<Button onClick={exportCsv}>{t('common.exportCsv')}</Button>}>
        <Row gutter={[16, 16]}>
          {funnel.map((f) => (
            <Col key={f.key} xs={12} md={8} xl={4}>
              <Statistic title={t(f.key)} value={f.n} data-testid={`stat-${f.key}`} />
              {f.key !== 'reports.audience' && <Progress percent={f.base ? Math.round((f.n / f.base) * 100) : 0} size="small" format={() => rate(f.n, f.base)} />}
            </Col>
          ))}
          <Col xs={12} md={8} xl={4}>
            <Statistic title={t('reports.failed')} value={stats.failed} styles={{ content: { color: stats.failed ? '#cf1322' : undefined } }} />
          </Col>
        </Row>
      </Card>
      <Row gutter={16}>
        <Col xs={24} xl={8}>
          <Card title={t('reports.skipped')} size="small">
            <Table size="small" rowKey="reason" pagination={false} dataSource={stats.skipped} columns={[{ title: t('reports.reason'), dataIndex: 'reason' }, { title: t('reports.count'), dataIndex: 'count' }]} />
          </Card>
        </Col>
        <Col xs={24} xl={8}>
          <Card title={t('reports.failures')} size="small">
            <Table size="small" rowKey="code" pagination={false} dataSource={stats.failures} columns={[{ title: t('reports.code'), dataIndex: 'code', render: (c: string, r) => `${c}${r.title ? ` ${r.title}` : ''}` }, { title: t('reports.count'), dataIndex: 'count' }]} />
          </Card>
        </Col>
        <Col xs={24} xl={8}>
          <Card title={t('reports.clicksByButton')} size="small">
            <Table size="small" rowKey="button" pagination={false} dataSource={stats.clicksByButton} columns={[{ title: t('reports.button'), dataIndex: 'button' }, { title: t('reports.count'), dataIndex: 'count' }]} />
          </Card>
        </Col>
      </Row>
      <Card title={t('reports.overTime')}>
        <SeriesChart series={stats.series} />
      </Card>
    </Space>
  );
}

export function TaskReportPage() {
  const t = useT();
  const { id = '' } = useParams();
  const [params] = useSearchParams();
  const runId = params.get('runId') ?? undefined;
  const task = useLoad(() => api.get<Raw>(`/api/v1/tasks/${id}`), [id]);
  const stats = useLoad(() => getStats(id, runId), [id, runId]);
  const name = task.data ? toTask(task.data).name : id;
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Card title={`${t('reports.title')} · ${name}${runId ? ` · ${t('reports.run')} ${runId}` : ''}`} extra={<Button onClick={stats.reload}>{t('common.refresh')}</Button>} />
      <LoadState loading={stats.loading && !stats.data} error={stats.error}>
        {stats.data && <StatsView stats={stats.data} name={name} />}
      </LoadState>
    </Space>
  );
}
