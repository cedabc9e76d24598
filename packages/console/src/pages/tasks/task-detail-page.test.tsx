import { cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderPage, stubApi } from '../../test-support';
import { TaskDetailPage } from './task-detail-page';

const task = { id: 't1', name: 'Double 11 reminder', state: 'draft', definition: { basic: { name: 'Double 11 reminder' }, audience: { mode: 'rule' }, trigger: { type: 'scheduled_once', sendAt: '2026-11-11T02:00:00Z' }, delivery: { taskType: 'normal', content: { type: 'text' } } }, createdAt: '2026-11-01T00:00:00Z' };

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function renderTask(deliveries: unknown[], lang: 'en' | 'zh' = 'en') {
  stubApi((c) => (c.path === '/api/v1/tasks/t1' ? task : c.path.endsWith('/deliveries') ? { items: deliveries, total: deliveries.length } : { items: [], total: 0 }));
  renderPage(<TaskDetailPage />, { lang, path: '/tasks/t1', route: '/tasks/:id' });
}

describe('the task page', () => {
  it('says why a draft has no runs and no deliveries yet', async () => {
    renderTask([]);
    expect(await screen.findByText('No runs yet: a run starts when the task is approved and its trigger fires.')).toBeTruthy();
    fireEvent.click(screen.getByRole('tab', { name: 'Deliveries' }));
    expect(await screen.findByText(/^No messages yet/)).toBeTruthy();
  });

  it('names delivery states and skip reasons in words', async () => {
    renderTask([
      { id: 'd1', phone: '+8613800000001', state: 'accepted', reason: null, errorCode: null, errorTitle: null, updatedAt: '2026-11-11T02:00:00Z' },
      { id: 'd2', phone: '+8613800000002', state: 'skipped', reason: 'task_cap', errorCode: null, errorTitle: null, updatedAt: '2026-11-11T02:00:00Z' },
      { id: 'd3', phone: '+8613800000003', state: 'failed', reason: null, errorCode: '131026', errorTitle: 'Message undeliverable', updatedAt: '2026-11-11T02:00:00Z' },
    ], 'zh');
    fireEvent.click(await screen.findByRole('tab', { name: '发送明细' }));
    expect(await screen.findByText('WhatsApp 已接收')).toBeTruthy();
    expect(screen.getByText('未发送')).toBeTruthy();
    expect(screen.getByText('失败')).toBeTruthy();
    expect(screen.getByText('131026 Message undeliverable')).toBeTruthy();
    expect(screen.getByText('任务频控')).toBeTruthy();
    expect(screen.queryByText('task_cap')).toBeNull();
  });
});
