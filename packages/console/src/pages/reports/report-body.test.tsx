import { SKIP_REASON_CODES } from '@wareach/core';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { App as AntApp } from 'antd';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TaskStats } from '../../api/tasks';
import { SessionProvider } from '../../auth/session';
import { I18nProvider } from '../../i18n/i18n';
import { messages, type MessageKey } from '../../i18n/messages';
import { ReportBody, type ReportSubject } from './report-body';

const stats: TaskStats = {
  audience: 120,
  sent: 100,
  delivered: 90,
  read: 60,
  replied: 12,
  clicked: 7,
  failed: 5,
  skipped: [{ reason: 'outside_service_window', count: 10 }, { reason: 'task_cap', count: 5 }],
  failures: [{ code: '131026', count: 4 }, { code: 'none', count: 1 }],
  clicksByButton: [{ button: 'Remind me', count: 7 }],
  series: [{ at: '2026-11-11T02:00:00.000Z', sent: 100, delivered: 90, read: 60, replied: 0, failed: 5 }],
};

const session = {
  member: { id: 'm1', email: 'a@b.c', name: 'Ann', roleId: 'admin', disabled: false, createdAt: '2026-01-01T00:00:00Z' },
  permissions: ['report.view'],
  settings: { timezone: 'Asia/Shanghai', doNotDisturb: { enabled: false, start: '22:00', end: '08:00', action: 'drop' as const }, channelCap: null, crossChannelCap: null, segmentRefreshLeadMinutes: 30, allowSelfApproval: false, syncToSegmentListDefault: true },
};

function renderBody(lang: 'en' | 'zh' = 'en', subject: ReportSubject = { scope: 'group', name: 'Double 11' }, shown: TaskStats = stats) {
  return render(
    <I18nProvider lang={lang}>
      <SessionProvider initial={session}>
        <AntApp>
          <ReportBody stats={shown} subject={subject} />
        </AntApp>
      </SessionProvider>
    </I18nProvider>,
  );
}

const value = (testId: string) => screen.getByTestId(testId).querySelector('.ant-statistic-content-value')?.textContent;

/** Clicks "Export CSV" and returns the file the browser would save, and its name. */
async function exportCsv(): Promise<{ text: string; name: string }> {
  let blob: Blob | undefined;
  let name = '';
  const create = vi.spyOn(URL, 'createObjectURL').mockImplementation((b) => { blob = b as Blob; return 'blob:report'; });
  const revoke = vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => undefined);
  const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) { name = this.download; });
  fireEvent.click(screen.getByTestId('report-export'));
  create.mockRestore();
  revoke.mockRestore();
  click.mockRestore();
  expect(blob).toBeDefined();
  return { text: await blob!.text(), name };
}

afterEach(cleanup);

describe('the report body', () => {
  it('shows the funnel, each step with its rate', () => {
    renderBody();
    expect(value('stat-reports.audience')).toBe('120');
    expect(value('stat-reports.sent')).toBe('100');
    expect(value('stat-reports.delivered')).toBe('90');
    expect(value('stat-reports.read')).toBe('60');
    expect(value('stat-reports.replied')).toBe('12');
    expect(value('stat-reports.clicked')).toBe('7');
    expect(value('stat-reports.skipped')).toBe('15');
    expect(value('stat-reports.failed')).toBe('5');
    expect(screen.getByText('83.3% of Audience')).toBeTruthy();
    expect(screen.getByText('90% of Sent')).toBeTruthy();
    expect(screen.getByText('66.7% of Delivered')).toBeTruthy();
    expect(screen.getByText('12% of Sent')).toBeTruthy();
  });

  it('says so when nothing has been sent yet, and only then', () => {
    renderBody('en', { scope: 'task', name: 'Draft' }, { ...stats, audience: 0, sent: 0, delivered: 0, read: 0, replied: 0, clicked: 0, failed: 0, skipped: [], failures: [], clicksByButton: [], series: [] });
    expect(screen.getByTestId('report-nothing-yet').textContent).toContain('Nothing has been sent yet');
    cleanup();
    renderBody();
    expect(screen.queryByTestId('report-nothing-yet')).toBeNull();
  });

  it('names the skip reasons and the failure codes', () => {
    renderBody();
    const report = within(screen.getByTestId('report'));
    expect(report.getByText('Outside the 24-hour window')).toBeTruthy();
    expect(report.getByText('outside_service_window')).toBeTruthy();
    expect(report.getByText('Task frequency cap')).toBeTruthy();
    expect(report.getByRole('cell', { name: '131026' })).toBeTruthy();
    expect(report.getByRole('cell', { name: 'Not a WhatsApp user' })).toBeTruthy();
    expect(report.getByRole('cell', { name: 'no error code' })).toBeTruthy();
    expect(report.getByRole('cell', { name: 'Remind me' })).toBeTruthy();
  });

  it('exports all of it as CSV', async () => {
    renderBody();
    const { text, name } = await exportCsv();
    expect(name).toBe('Double 11-report.csv');
    const rows = text.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(rows[0]).toBe('section,key,label,count');
    expect(rows).toContain('report,group,Double 11,');
    for (const [k, n] of [['audience', 120], ['sent', 100], ['delivered', 90], ['read', 60], ['replied', 12], ['clicked', 7], ['failed', 5]] as const) {
      expect(rows.find((r) => r.startsWith(`funnel,${k},`))?.endsWith(`,${n}`)).toBe(true);
    }
    expect(rows).toContain('skipped,outside_service_window,Outside the 24-hour window,10');
    expect(rows).toContain('skipped,task_cap,Task frequency cap,5');
    expect(rows).toContain('failed,131026,Not a WhatsApp user,4');
    expect(rows).toContain('failed,none,no error code,1');
    expect(rows).toContain('clicks,Remind me,Remind me,7');
    expect(rows).toContain('series.sent,2026-11-11T02:00:00.000Z,2026-11-11 10:00,100');
  });

  it('speaks Chinese, in the page and in the file', async () => {
    renderBody('zh', { scope: 'run', name: '=HYPERLINK("x")' });
    expect(screen.getByText('超出 24 小时会话窗口')).toBeTruthy();
    expect(screen.getByText('转化漏斗')).toBeTruthy();
    const { text } = await exportCsv();
    expect(text.startsWith('\uFEFF')).toBe(true);
    expect(text).toContain('skipped,outside_service_window,超出 24 小时会话窗口,10');
    // A name a spreadsheet would run as a formula is written as text.
    expect(text).toContain('report,run,"\'=HYPERLINK(""x"")",');
  });

  it('has a label for every skip reason the core knows, in both languages', () => {
    for (const code of SKIP_REASON_CODES) {
      const key = `reports.skip.${code}` as MessageKey;
      expect(messages.en[key], code).toBeTruthy();
      expect(messages.zh[key], code).toBeTruthy();
    }
  });
});
