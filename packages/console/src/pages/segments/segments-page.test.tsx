import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderPage, stubApi } from '../../test-support';
import { SegmentsPage } from './segments-page';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('the segment list', () => {
  it('says what a segment is and how to make one when there is none', async () => {
    stubApi(() => ({ items: [], total: 0 }));
    renderPage(<SegmentsPage />);
    expect(await screen.findByText(/^No segments yet\. A segment is a reusable audience/)).toBeTruthy();
  });

  it('says when a search finds nothing, in Chinese too', async () => {
    stubApi(() => ({ items: [], total: 0 }));
    renderPage(<SegmentsPage />, { lang: 'zh' });
    const search = screen.getByLabelText('搜索分群');
    fireEvent.change(search, { target: { value: 'vip' } });
    fireEvent.keyDown(search, { key: 'Enter', code: 'Enter', keyCode: 13 });
    expect(await screen.findByText('没有与"vip"匹配的分群。')).toBeTruthy();
  });

  it('shows the refresh running on its button', async () => {
    let release: () => void = () => undefined;
    const calls = stubApi((c) => (c.method === 'POST' ? new Promise<void>((r) => (release = r)) : { items: [{ id: 's1', name: 'Buyers', kind: 'rule', refresh: { mode: 'on_demand', time: null }, memberCount: 3 }], total: 1 }));
    renderPage(<SegmentsPage />);
    const button = await screen.findByRole('button', { name: 'Refresh now' });
    fireEvent.click(button);
    await waitFor(() => expect(calls.some((c) => c.method === 'POST' && c.path === '/api/v1/segments/s1/refresh')).toBe(true));
    await waitFor(() => expect(button.className).toContain('ant-btn-loading'));
    release();
  });
});
